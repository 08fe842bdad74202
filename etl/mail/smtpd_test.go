package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/returns-project/returns/etl/sharedtest"
)

// fault is what the test server does with one message.
type fault int

const (
	accept         fault = iota
	temp451              // 451 to the data
	temp421              // 421 to MAIL FROM
	perm550              // 550 to the data
	closeAfterData       // read the data, then drop the connection before replying (RFC 1047)
)

// received is a message the server got to the end of its data.
type received struct {
	From      string
	To        []string
	Data      []byte
	MessageID string
	TLS       bool
	User      string
	Replied   bool // false: the connection was dropped before the reply
}

// smtpd is a real SMTP server (go-smtp) on 127.0.0.1 that records what it
// receives and injects faults.
type smtpd struct {
	t        *testing.T
	srv      *smtp.Server
	addr     atomic.Value // string
	sessions atomic.Int64 // connections that reached a session
	dials    atomic.Int64 // connection attempts made by the client, refused ones included

	mu       sync.Mutex
	got      []received
	seen     map[string]int // DATA arrivals per Message-ID
	onData   func(msgID string, n int) fault
	rcptFail map[string]fault // recipient → fault at RCPT
	auth     func(user, pass string) error
	tlsCfg   *tls.Config
	delay    time.Duration
}

func newSMTPD(t *testing.T) *smtpd {
	d := &smtpd{t: t, seen: map[string]int{}, rcptFail: map[string]fault{}}
	d.start()
	return d
}

func (d *smtpd) start() {
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		d.sessions.Add(1)
		return &session{d: d, c: c}, nil
	})
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	d.mu.Lock()
	srv.TLSConfig = d.tlsCfg
	srv.AllowInsecureAuth = d.tlsCfg == nil
	d.mu.Unlock()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.t.Fatal(err)
	}
	d.srv = srv
	d.addr.Store(l.Addr().String())
	go func() { _ = srv.Serve(l) }()
	d.t.Cleanup(func() { _ = srv.Close() })
}

// stop closes the listener and every connection: dials are refused.
func (d *smtpd) stop() { _ = d.srv.Close() }

// dial is the sender's DialContext: it counts attempts and always dials the
// current server (a restarted server listens on a new port).
func (d *smtpd) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	d.dials.Add(1)
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.addr.Load().(string))
}

func (d *smtpd) port() int {
	_, p, _ := net.SplitHostPort(d.addr.Load().(string))
	n, _ := strconv.Atoi(p)
	return n
}

func (d *smtpd) messages() []received {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]received(nil), d.got...)
}

// copies counts the received copies per Message-ID.
func (d *smtpd) copies() map[string]int {
	n := map[string]int{}
	for _, r := range d.messages() {
		n[r.MessageID]++
	}
	return n
}

type session struct {
	d    *smtpd
	c    *smtp.Conn
	from string
	to   []string
	user string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.d.mu.Lock()
		check := s.d.auth
		s.d.mu.Unlock()
		if check == nil {
			return errors.New("no auth configured")
		}
		if err := check(user, pass); err != nil {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.d.mu.Lock()
	f := s.d.rcptFail[to]
	s.d.mu.Unlock()
	switch f {
	case perm550:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	case temp451:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparseable message"}
	}
	id := msg.Header.Get("Message-ID")
	_, isTLS := s.c.TLSConnectionState()
	rec := received{From: s.from, To: append([]string(nil), s.to...), Data: data, MessageID: id, TLS: isTLS, User: s.user}
	s.d.mu.Lock()
	s.d.seen[id]++
	n := s.d.seen[id]
	f := accept
	if s.d.onData != nil {
		f = s.d.onData(id, n)
	}
	delay := s.d.delay
	if f == accept || f == closeAfterData {
		rec.Replied = f == accept
		s.d.got = append(s.d.got, rec)
	}
	s.d.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	switch f {
	case temp451:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local problem"}
	case perm550:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Rejected"}
	case closeAfterData:
		_ = s.c.Conn().Close() // the data is here; the reply never leaves
		return errors.New("dropped")
	}
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "returns test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}, pool
}

// newClock is an injected clock, standing now, that the tests move by hand.
func newClock() *sharedtest.Clock { return sharedtest.NewClock(time.Now()) }

// testLogger is a logger whose lines the test can read (and that echoes
// them to the test output).
func testLogger(t *testing.T) (*slog.Logger, *sharedtest.Buffer) {
	lb := &sharedtest.Buffer{}
	return slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), lb), &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}
