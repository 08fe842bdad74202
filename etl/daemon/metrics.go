package daemon

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"github.com/returns-project/returns/etl/domain"
)

// metrics are the daemon's Prometheus metrics, on a registry of its own
// (no global state).
type metrics struct {
	reg            *prometheus.Registry
	files          *prometheus.CounterVec
	rows           prometheus.Counter
	rejects        *prometheus.CounterVec
	jobRuns        *prometheus.CounterVec
	jobFailures    *prometheus.CounterVec
	jobLastSuccess *prometheus.GaugeVec
	queue          prometheus.Gauge
	transient      prometheus.Counter
	recovered      prometheus.Counter
	mail           *prometheus.CounterVec
	reminders      prometheus.Counter
	claimedElse    prometheus.Counter
	fileRetries    prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		files: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returns_files_total",
			Help: "Inbox files by terminal outcome (loaded, rejected, duplicate, quarantined)."}, []string{"outcome"}),
		rows: prometheus.NewCounter(prometheus.CounterOpts{Name: "returns_rows_loaded_total",
			Help: "Detail rows loaded from accepted returns."}),
		rejects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returns_rejects_total",
			Help: "Rejected files by reason code."}, []string{"reason"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returns_job_runs_total",
			Help: "Scheduled job runs executed by this daemon."}, []string{"job"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returns_job_failures_total",
			Help: "Scheduled job runs that failed."}, []string{"job"}),
		jobLastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "returns_job_last_success_timestamp_seconds",
			Help: "Unix time of the job's last successful run on this daemon."}, []string{"job"}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{Name: "returns_inbox_queue_depth",
			Help: "Ready inbox files not yet processed in the current scan."}),
		transient: prometheus.NewCounter(prometheus.CounterOpts{Name: "returns_transient_failures_total",
			Help: "Failures that were not a file's fault (database or disk) and backed the scan off."}),
		recovered: prometheus.NewCounter(prometheus.CounterOpts{Name: "returns_moves_redone_total",
			Help: "Files whose outcome was recorded by an earlier run and whose move was redone."}),
		mail: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returns_mail_total",
			Help: "Outbox delivery results (sent, retried, failed)."}, []string{"result"}),
		reminders: prometheus.NewCounter(prometheus.CounterOpts{Name: "returns_reminders_queued_total",
			Help: "Reminder mails queued."}),
		claimedElse: prometheus.NewCounter(prometheus.CounterOpts{Name: "returns_files_claimed_elsewhere_total",
			Help: "Ready files left alone because another daemon held their claim."}),
		fileRetries: prometheus.NewCounter(prometheus.CounterOpts{Name: "returns_file_attempts_failed_total",
			Help: "Attempts at a file that failed for the file's own reasons (a panic, the time budget); the file is rejected after a few."}),
	}
	m.reg.MustRegister(m.files, m.rows, m.rejects, m.jobRuns, m.jobFailures, m.jobLastSuccess, m.queue,
		m.transient, m.recovered, m.mail, m.reminders, m.claimedElse, m.fileRetries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// decided is the number of inbox files that reached a terminal outcome
// (returns_files_total over every outcome).
func (m *metrics) decided() float64 {
	var total float64
	for _, o := range domain.Outcomes {
		var pb dto.Metric
		if m.files.WithLabelValues(string(o)).Write(&pb) == nil {
			total += pb.GetCounter().GetValue()
		}
	}
	return total
}
