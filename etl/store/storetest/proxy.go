package storetest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Cut says where [Proxy] breaks a connection at its next COMMIT.
type Cut int

// Cuts.
const (
	// CutNone forwards everything.
	CutNone Cut = iota
	// CutBeforeCommit drops the client and server connections instead of
	// forwarding the COMMIT: the server rolls the transaction back, the
	// client sees a broken connection.
	CutBeforeCommit
	// CutAfterCommit forwards the COMMIT to the server, then drops the
	// client connection without forwarding the reply: the transaction
	// commits, the client sees a broken connection
	// (docs/reliability.md §0.2, T5: the ambiguous COMMIT).
	CutAfterCommit
)

func (c Cut) String() string {
	switch c {
	case CutBeforeCommit:
		return "before-commit"
	case CutAfterCommit:
		return "after-commit"
	}
	return "none"
}

// Proxy forwards PostgreSQL connections from a Unix socket of its own to
// the server of a database URL, reading the client's messages so that it
// can cut a connection at a COMMIT. It speaks just enough of the wire
// protocol to frame messages: the untyped start-up messages (an SSL or
// GSSAPI request, answered by the server, then the start-up packet), then
// typed messages; a COMMIT is a simple query ('Q') whose text is COMMIT,
// which is what lib/pq's Tx.Commit sends.
type Proxy struct {
	t       testing.TB
	dir     string
	network string
	addr    string
	dsn     string
	ln      net.Listener

	mu    sync.Mutex
	cut   Cut // armed for the next COMMIT, then back to CutNone
	cuts  int
	conns map[*proxyConn]struct{}
	wg    sync.WaitGroup

	waits atomic.Int64 // client messages that wait for the server's answer
}

// NewProxy starts a proxy to the server of dsn (a URL from [URL]) and stops
// it when t ends. Connect through [Proxy.URL].
func NewProxy(t testing.TB, dsn string) *Proxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("proxy: parse database URL: %v", err)
	}
	q := u.Query()
	port := cmpOr(q.Get("port"), u.Port(), "5432")
	p := &Proxy{t: t, conns: map[*proxyConn]struct{}{}}
	if h := q.Get("host"); strings.HasPrefix(h, "/") {
		p.network, p.addr = "unix", filepath.Join(h, ".s.PGSQL."+port)
	} else {
		p.network, p.addr = "tcp", net.JoinHostPort(cmpOr(h, u.Hostname(), "localhost"), port)
	}
	// A short directory of its own: a Unix socket path is limited to 107
	// bytes, and test temporary directories carry the test's name.
	p.dir, err = os.MkdirTemp("", "rpx")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p.ln, err = net.Listen("unix", filepath.Join(p.dir, ".s.PGSQL.5432"))
	if err != nil {
		os.RemoveAll(p.dir)
		t.Fatalf("proxy: listen: %v", err)
	}
	q.Set("host", p.dir)
	q.Set("port", "5432")
	u.Host = ""
	u.RawQuery = q.Encode()
	p.dsn = u.String()
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// URL is the database URL through the proxy.
func (p *Proxy) URL() string { return p.dsn }

// RoundTrips is the number of times a client waited for the server so far:
// its simple queries, Syncs (the end of an extended-protocol query) and
// COPY ends.
func (p *Proxy) RoundTrips() int64 { return p.waits.Load() }

// CutNextCommit arms the proxy: the next COMMIT seen on any connection is
// cut as c says; the connections after it are forwarded untouched.
func (p *Proxy) CutNextCommit(c Cut) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = c
}

// Cuts is the number of COMMITs cut so far.
func (p *Proxy) Cuts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// takeCut disarms the proxy and returns what it was armed with.
func (p *Proxy) takeCut() Cut {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.cut
	if c != CutNone {
		p.cut = CutNone
		p.cuts++
	}
	return c
}

func (p *Proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.client.Close()
		c.server.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	os.RemoveAll(p.dir)
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		server, err := net.Dial(p.network, p.addr)
		if err != nil {
			p.t.Logf("proxy: dial %s: %v", p.addr, err)
			client.Close()
			continue
		}
		c := &proxyConn{p: p, client: client, server: server}
		p.mu.Lock()
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go c.serverToClient()
		go c.clientToServer()
	}
}

type proxyConn struct {
	p              *Proxy
	client, server net.Conn

	mu    sync.Mutex
	muted bool // the server's replies are no longer forwarded
}

func (c *proxyConn) forget() {
	c.p.mu.Lock()
	delete(c.p.conns, c)
	c.p.mu.Unlock()
}

// serverToClient copies the server's bytes to the client until either side
// closes, dropping them once the connection was muted by a cut.
func (c *proxyConn) serverToClient() {
	defer c.p.wg.Done()
	defer c.server.Close()
	defer c.client.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.server.Read(buf)
		if n > 0 {
			c.mu.Lock()
			muted := c.muted
			var werr error
			if !muted {
				_, werr = c.client.Write(buf[:n])
			}
			c.mu.Unlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

const (
	sslRequest    = 80877103
	gssEncRequest = 80877104
)

// clientToServer forwards the client's messages one by one, cutting the
// connection at an armed COMMIT.
func (c *proxyConn) clientToServer() {
	defer c.p.wg.Done()
	defer c.forget()
	r := bufio.NewReaderSize(c.client, 64<<10)
	w := bufio.NewWriterSize(c.server, 64<<10)
	fail := func() {
		c.client.Close()
		c.server.Close()
	}
	// Start-up: untyped messages (length, then payload) until the start-up
	// packet; an SSL or GSSAPI request is answered by the server with one
	// byte, and the client then sends the start-up packet.
	for {
		msg, err := readMsg(r, false)
		if err != nil {
			fail()
			return
		}
		if _, err := w.Write(msg); err != nil || w.Flush() != nil {
			fail()
			return
		}
		code := binary.BigEndian.Uint32(msg[4:8])
		if code != sslRequest && code != gssEncRequest {
			break
		}
	}
	for {
		msg, err := readMsg(r, true)
		if err != nil {
			// The client closed (or was cut): let the server see the end.
			_ = w.Flush()
			halfClose(c.server)
			return
		}
		switch msg[0] {
		case 'Q', 'S', 'c': // a simple query, a Sync, the end of a COPY
			c.p.waits.Add(1)
		}
		if msg[0] == 'Q' && isCommit(msg[5:]) {
			if cut := c.p.takeCut(); cut != CutNone {
				c.cutAt(cut, msg, w)
				return
			}
		}
		if _, err := w.Write(msg); err != nil {
			fail()
			return
		}
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				fail()
				return
			}
		}
	}
}

// cutAt cuts the connection at a COMMIT message.
func (c *proxyConn) cutAt(cut Cut, commit []byte, w *bufio.Writer) {
	c.mu.Lock()
	c.muted = true
	c.mu.Unlock()
	if cut == CutBeforeCommit {
		// Whatever was forwarded before stays; the COMMIT never reaches
		// the server, which sees the connection end inside the
		// transaction and rolls it back.
		_ = w.Flush()
		c.client.Close()
		c.server.Close()
		return
	}
	// Forward the COMMIT, drop the client at once, and let the server
	// finish: it reads the COMMIT before the end of its input, commits,
	// and its reply is discarded by serverToClient.
	_, _ = w.Write(commit)
	_ = w.Flush()
	c.client.Close()
	halfClose(c.server)
}

func halfClose(conn net.Conn) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	conn.Close()
}

// readMsg reads one protocol message: typed (1-byte type, then a length
// that counts itself) or untyped (start-up phase: length only).
func readMsg(r *bufio.Reader, typed bool) ([]byte, error) {
	head := 4
	if typed {
		head = 5
	}
	hdr := make([]byte, head)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr[head-4:]))
	if n < 4 || n > 1<<30 {
		return nil, fmt.Errorf("proxy: bad message length %d", n)
	}
	msg := make([]byte, head+n-4)
	copy(msg, hdr)
	if _, err := io.ReadFull(r, msg[head:]); err != nil {
		return nil, err
	}
	if !typed && len(msg) < 8 {
		return nil, fmt.Errorf("proxy: start-up message of %d bytes", len(msg))
	}
	return msg, nil
}

// isCommit reports whether a simple query's text (NUL-terminated) is a
// COMMIT (or its synonym END).
func isCommit(q []byte) bool {
	s := strings.ToUpper(strings.TrimSpace(strings.TrimRight(string(q), "\x00")))
	s = strings.TrimSuffix(s, ";")
	s = strings.TrimSpace(s)
	return s == "COMMIT" || s == "END" || s == "COMMIT TRANSACTION" || s == "COMMIT WORK"
}
