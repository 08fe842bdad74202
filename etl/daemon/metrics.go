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
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	counter := func(name, help string) prometheus.Counter {
		return register(reg, prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help}))
	}
	counterVec := func(name, help, label string) *prometheus.CounterVec {
		return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label}))
	}
	return &metrics{
		reg:         reg,
		files:       counterVec("returns_files_total", "Inbox files by terminal outcome (loaded, rejected, duplicate, quarantined).", "outcome"),
		rows:        counter("returns_rows_loaded_total", "Detail rows loaded from accepted returns."),
		rejects:     counterVec("returns_rejects_total", "Rejected files by reason code.", "reason"),
		jobRuns:     counterVec("returns_job_runs_total", "Scheduled job runs executed by this daemon.", "job"),
		jobFailures: counterVec("returns_job_failures_total", "Scheduled job runs that failed.", "job"),
		jobLastSuccess: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "returns_job_last_success_timestamp_seconds",
			Help: "Unix time of the job's last successful run on this daemon."}, []string{"job"})),
		queue: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: "returns_inbox_queue_depth",
			Help: "Ready inbox files not yet processed in the current scan."})),
		transient: counter("returns_transient_failures_total",
			"Failures that were not a file's fault (database or disk) and backed the scan off."),
		recovered: counter("returns_moves_redone_total",
			"Files whose outcome was recorded by an earlier run and whose move was redone."),
		mail:      counterVec("returns_mail_total", "Outbox delivery results (sent, retried, failed).", "result"),
		reminders: counter("returns_reminders_queued_total", "Reminder mails queued."),
		claimedElse: counter("returns_files_claimed_elsewhere_total",
			"Ready files left alone because another daemon held their claim."),
		fileRetries: counter("returns_file_attempts_failed_total",
			"Attempts at a file that failed for the file's own reasons (a panic, the time budget); the file is rejected after a few."),
	}
}

// register registers c with reg and returns it.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	reg.MustRegister(c)
	return c
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
