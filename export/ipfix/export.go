package ipfix

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// DefaultPort is IANA's port for IPFIX (UDP and TCP).
const DefaultPort = 4739

// Defaults for Config.
const (
	// DefaultUDPMessage keeps a UDP message, with its IP and UDP headers,
	// within a 1500-byte path MTU even over IPv6 and a tunnel or two.
	DefaultUDPMessage = 1400
	// DefaultTCPMessage is larger: TCP segments it.
	DefaultTCPMessage = 16384
	// DefaultRefresh and DefaultRefreshMessages: on UDP the templates go
	// again after this much wall time or this many messages, whichever
	// comes first (a collector that starts late learns them soon).
	DefaultRefresh         = 60 * time.Second
	DefaultRefreshMessages = 1024
	// DefaultDomain is the observation domain ID of the command line.
	DefaultDomain = 1
	// DefaultBacklog bounds the TCP messages kept while the collector is
	// away: 4 MiB is 256 full 16 KiB messages, about 45,000 flow records
	// (80 to 110 bytes each), so a collector that restarts in a second or
	// two loses nothing from a sensor ending up to 20,000 flows a second,
	// while a collector gone for good costs a bounded, small share next
	// to the flow table (it is outside --max-memory).
	DefaultBacklog = 4 << 20
	// DefaultCloseWait is Close's last chance for a broken TCP session:
	// two seconds cover a collector's restart and one more dial after the
	// once-a-second retry, and hold the end of a run no longer than that
	// when the collector is gone.
	DefaultCloseWait = 2 * time.Second
)

// Target is a parsed --ipfix URL.
type Target struct {
	Network string // "udp" or "tcp"
	Host    string // as given
	Addr    net.Addr
}

func (t *Target) String() string { return t.Network + "://" + t.Addr.String() }

// ParseURL parses udp://HOST:PORT or tcp://HOST:PORT (PORT defaults to
// 4739) and resolves HOST now, so that reconnecting later needs no name
// lookup (which a confined process could not do: no /etc/hosts).
func ParseURL(s string) (*Target, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q: want udp://HOST:PORT or tcp://HOST:PORT", s)
	}
	if u.Scheme != "udp" && u.Scheme != "tcp" {
		return nil, fmt.Errorf("%q: the scheme must be udp or tcp (udp://HOST:PORT, tcp://HOST:PORT)", s)
	}
	if u.Hostname() == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q: want %s://HOST:PORT and nothing else", s, u.Scheme)
	}
	port := DefaultPort
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("%q: port %q is not a number between 1 and 65535", s, p)
		}
	}
	hp := net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	t := &Target{Network: u.Scheme, Host: u.Hostname()}
	if u.Scheme == "udp" {
		t.Addr, err = net.ResolveUDPAddr("udp", hp)
	} else {
		t.Addr, err = net.ResolveTCPAddr("tcp", hp)
	}
	if err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	return t, nil
}

// Config sets up an Exporter; zero fields but Domain take the defaults
// above.
type Config struct {
	// Domain is the observation domain ID, taken as it is (0 too).
	Domain uint32
	// MaxMessage is the largest message in bytes.
	MaxMessage int
	// Refresh and RefreshMessages (UDP only): see DefaultRefresh.
	Refresh         time.Duration
	RefreshMessages int
	// Now is the wall clock (export time, refresh); tests fix it.
	Now func() time.Time
	// WriteTimeout bounds a blocked TCP send, so that a stalled collector
	// cannot hold the pipeline for ever (the session is then closed and
	// the message waits in the backlog for a new one).
	WriteTimeout time.Duration
	// Backlog bounds (in message bytes) the TCP messages kept while no
	// session is up; see DefaultBacklog.
	Backlog int
	// CloseWait bounds Close's last wait for a broken TCP session to come
	// back; see DefaultCloseWait.
	CloseWait time.Duration
}

// Exporter builds IPFIX messages from records and sends them. Its methods
// are called from one goroutine (the pipeline's writer).
type Exporter struct {
	t   *Target
	cfg Config
	// conn is nil while a TCP session is down.
	conn net.Conn
	// msg is the message being filled; setAt is the offset of its open
	// data set (0: none), of template setID.
	msg      []byte
	setAt    int
	setID    uint16
	nrec     uint32 // data records in msg (flows and statistics)
	nflows   uint32 // flow records in msg
	seq      uint32 // data records sent before msg, this session
	lastTmpl time.Time
	sinceTmp int // messages since the templates went
	needTmpl bool
	// dialing delivers the TCP dial under way; retryAt is when the next
	// may start after dialErr.
	dialing chan dialResult
	retryAt time.Time
	dialErr error
	// backlog holds the TCP messages that wait for a session, oldest
	// first, backlogBytes of them (at most cfg.Backlog); lastErr is why.
	backlog      []pending
	backlogBytes int
	lastErr      error
	stats        Stats
	firstErr     error
}

// Dial opens the socket (UDP) or the session (TCP) to t. Call it before
// the process confines itself (a new TCP session later needs no file).
func Dial(t *Target, cfg Config) (*Exporter, error) {
	if cfg.MaxMessage == 0 {
		cfg.MaxMessage = DefaultUDPMessage
		if t.Network == "tcp" {
			cfg.MaxMessage = DefaultTCPMessage
		}
	}
	cfg.MaxMessage = min(max(cfg.MaxMessage, 512), 65535)
	if cfg.Refresh == 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.RefreshMessages == 0 {
		cfg.RefreshMessages = DefaultRefreshMessages
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	if cfg.Backlog == 0 {
		cfg.Backlog = DefaultBacklog
	}
	if cfg.CloseWait == 0 {
		cfg.CloseWait = DefaultCloseWait
	}
	e := &Exporter{t: t, cfg: cfg, msg: make([]byte, 0, cfg.MaxMessage), needTmpl: true}
	if err := e.dial(); err != nil {
		return nil, err
	}
	e.start()
	return e, nil
}

func (e *Exporter) dial() error {
	var err error
	if e.t.Network == "udp" {
		e.conn, err = net.DialUDP("udp", nil, e.t.Addr.(*net.UDPAddr))
	} else {
		d := net.Dialer{Timeout: 5 * time.Second}
		e.conn, err = d.Dial("tcp", e.t.Addr.String())
	}
	if err != nil {
		e.conn = nil
		return fmt.Errorf("IPFIX collector %s: %w", e.t, err)
	}
	return nil
}

// start begins a message: its header, filled in when it is sent.
func (e *Exporter) start() {
	e.msg = e.msg[:headerLen]
	e.setAt, e.nrec, e.nflows = 0, 0, 0
}

// begin puts the templates and the statistics in a message that holds
// nothing yet, when they are due: at the start of a session, and on UDP
// after Refresh or RefreshMessages. Decided when the message gets its
// first record, so that a quiet spell is measured up to then.
func (e *Exporter) begin() {
	if len(e.msg) != headerLen {
		return
	}
	if e.t.Network == "udp" && (e.cfg.Now().Sub(e.lastTmpl) >= e.cfg.Refresh || e.sinceTmp >= e.cfg.RefreshMessages) {
		e.needTmpl = true
	}
	if e.needTmpl {
		e.msg = appendTemplates(e.msg)
		e.msg = appendStatsSet(e.msg, e.cfg.Domain, e.stats)
		e.nrec++
		e.needTmpl, e.lastTmpl, e.sinceTmp = false, e.cfg.Now(), 0
	}
}

// WriteRecord adds a record AppendRecord made (template ID, then the
// record), sending the message first when the record would not fit.
// Send errors are counted, not returned: the capture goes on.
func (e *Exporter) WriteRecord(b []byte) error {
	if len(b) < 2 {
		return errors.New("ipfix: short record")
	}
	id, rec := binary.BigEndian.Uint16(b), b[2:]
	e.begin()
	need := len(rec)
	if e.setAt == 0 || e.setID != id {
		need += setHeaderLen
	}
	if len(e.msg)+need > e.cfg.MaxMessage && e.nflows > 0 {
		e.send()
		e.begin()
		need = len(rec) + setHeaderLen
	}
	if len(e.msg)+need > e.cfg.MaxMessage {
		if e.nflows == 0 && len(e.msg) > headerLen {
			// The templates begin() put in go with the next message.
			e.start()
			e.needTmpl = true
		}
		return fmt.Errorf("ipfix: a %d-byte record does not fit a %d-byte message", len(rec), e.cfg.MaxMessage)
	}
	if e.setAt == 0 || e.setID != id {
		e.closeSet()
		e.setAt, e.setID = len(e.msg), id
		e.msg = binary.BigEndian.AppendUint16(e.msg, id)
		e.msg = append(e.msg, 0, 0)
	}
	e.msg = append(e.msg, rec...)
	e.nrec++
	e.nflows++
	return nil
}

func (e *Exporter) closeSet() {
	if e.setAt != 0 {
		binary.BigEndian.PutUint16(e.msg[e.setAt+2:], uint16(len(e.msg)-e.setAt))
		e.setAt = 0
	}
}

// send sends the message being filled and starts the next.
func (e *Exporter) send() {
	e.closeSet()
	m := e.msg
	binary.BigEndian.PutUint16(m[0:], version)
	binary.BigEndian.PutUint16(m[2:], uint16(len(m)))
	binary.BigEndian.PutUint32(m[4:], uint32(e.cfg.Now().Unix()))
	binary.BigEndian.PutUint32(m[8:], e.seq)
	binary.BigEndian.PutUint32(m[12:], e.cfg.Domain)
	if e.t.Network == "udp" {
		if _, err := e.conn.Write(m); err != nil {
			e.lost(1, uint64(e.nflows), err)
		} else {
			e.sent(m, e.nflows)
		}
		// Counted whether or not it arrived: RFC 7011 numbers the records
		// the exporter sent, and a collector tells loss from the gap.
		e.seq += e.nrec
	} else {
		e.sendTCP(m, e.nrec, e.nflows)
	}
	e.sinceTmp++
	e.start()
}

func (e *Exporter) sent(m []byte, nflows uint32) {
	e.stats.Messages++
	e.stats.Records += uint64(nflows)
	e.stats.Octets += uint64(len(m))
}

// lost counts messages that will never go, and their flow records; the
// first error is kept to say why.
func (e *Exporter) lost(msgs, nflows uint64, err error) {
	e.stats.SendErrors += msgs
	e.stats.NotSent += nflows
	if e.firstErr == nil {
		e.firstErr = err
	}
}

// pending is a finished TCP message waiting in the backlog for a session.
type pending struct {
	msg          []byte
	nrec, nflows uint32
}

// sendTCP sends the backlog, then m; what cannot go now (no session up, or
// the send spent WriteTimeout on the backlog) waits in the backlog, so
// that a collector that comes back gets it.
func (e *Exporter) sendTCP(m []byte, nrec, nflows uint32) {
	if err := e.flushTCP(&pending{m, nrec, nflows}, 0, e.cfg.WriteTimeout); err != nil {
		e.lastErr = err
		e.keep(m, nrec, nflows)
	}
}

// keep puts a copy of m at the end of the backlog; when the backlog
// outgrows its bound, the oldest messages are lost and counted.
func (e *Exporter) keep(m []byte, nrec, nflows uint32) {
	e.stats.Delayed++
	e.backlog = append(e.backlog, pending{append([]byte(nil), m...), nrec, nflows})
	e.backlogBytes += len(m)
	for e.backlogBytes > e.cfg.Backlog {
		p := e.backlog[0]
		e.backlog[0] = pending{}
		e.backlog = e.backlog[1:]
		e.backlogBytes -= len(p.msg)
		e.lost(1, uint64(p.nflows), fmt.Errorf("backlog full (%d bytes): %w", e.cfg.Backlog, e.lastErr))
	}
}

// errBudget says that a send spent its time on the backlog and left the
// rest (and its own message) for the next.
var errBudget = errors.New("backlog still being sent")

// flushTCP sends the backlog in order, then m (nil: none), on the session,
// opening a new one when it broke (waiting at most wait for a dial under
// way: 0 in the pipeline, see connect). Each message gets the sequence
// number of the session it goes on; its export time stays when it was
// finished. A write that fails is tried once more at once on a new
// session (a collector that restarted is back). With budget > 0 no
// backlogged message starts after budget: a slow collector holds a send
// about as long as one stalled write. It returns nil when all went.
func (e *Exporter) flushTCP(m *pending, wait, budget time.Duration) error {
	start, retried := time.Now(), false
	for {
		next, queued := m, len(e.backlog) > 0
		if queued {
			next = &e.backlog[0]
			if budget > 0 && time.Since(start) > budget {
				return errBudget
			}
		}
		if next == nil {
			return nil
		}
		if err := e.session(wait); err != nil {
			return err
		}
		if err := e.writeSession(next.msg, next.nrec); err != nil {
			if retried {
				return err
			}
			retried = true
			continue
		}
		e.sent(next.msg, next.nflows)
		if !queued {
			return nil
		}
		e.backlogBytes -= len(next.msg)
		e.backlog[0] = pending{}
		e.backlog = e.backlog[1:]
	}
}

// session makes sure a TCP session is up: a session the collector closed
// is noticed here and a new one dialled (see connect).
func (e *Exporter) session(wait time.Duration) error {
	if e.conn != nil && e.peerClosed() {
		e.conn.Close()
		e.conn = nil
	}
	if e.conn == nil && !e.connect(wait) {
		if e.dialErr == nil {
			return fmt.Errorf("IPFIX collector %s: not connected (reconnecting)", e.t)
		}
		return fmt.Errorf("IPFIX collector %s: not connected (%v)", e.t, e.dialErr)
	}
	return nil
}

// writeSession writes m on the session, numbered for it: RFC 7011's
// sequence number counts the data records sent before m in this session.
func (e *Exporter) writeSession(m []byte, nrec uint32) error {
	binary.BigEndian.PutUint32(m[8:], e.seq)
	_ = e.conn.SetWriteDeadline(time.Now().Add(e.cfg.WriteTimeout))
	if _, err := e.conn.Write(m); err != nil {
		e.conn.Close()
		e.conn = nil
		return fmt.Errorf("IPFIX collector %s: %w", e.t, err)
	}
	e.seq += nrec
	return nil
}

// dialWait is how long a send waits for a new TCP session: a collector
// that restarted answers at once; one that is down or unreachable must not
// hold the pipeline (its dial goes on in the background, and messages wait
// in the backlog until it completes).
const dialWait = 100 * time.Millisecond

type dialResult struct {
	conn net.Conn
	err  error
}

// connect opens a new TCP session: the dial runs on a goroutine of its
// own, at most one at a time and at most one a second after a failure; a
// send waits dialWait for a dial it started, not for one already under way
// (Close waits longer: wait, for either). It reports whether a session is
// open, its templates sent.
func (e *Exporter) connect(wait time.Duration) bool {
	if e.dialing == nil {
		if e.cfg.Now().Before(e.retryAt) {
			return false
		}
		ch := make(chan dialResult, 1)
		addr := e.t.Addr.String() // resolved at the start: no lookup here
		go func() {
			d := net.Dialer{Timeout: 5 * time.Second}
			c, err := d.Dial("tcp", addr)
			ch <- dialResult{c, err}
		}()
		e.dialing, wait = ch, max(wait, dialWait)
	}
	var r dialResult
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case r = <-e.dialing:
		case <-t.C:
			return false
		}
	} else {
		select {
		case r = <-e.dialing:
		default:
			return false
		}
	}
	e.dialing = nil
	if r.err != nil {
		e.dialErr, e.retryAt = r.err, e.cfg.Now().Add(time.Second)
		return false
	}
	e.conn = r.conn
	if err := e.hello(); err != nil {
		e.dialErr, e.retryAt = err, e.cfg.Now().Add(time.Second)
		return false
	}
	return true
}

// peerClosed tells whether the collector closed the session: it sends
// nothing, so anything but "no data yet" from a read means it is gone.
// Checked before each message, so that a collector that restarts loses
// nothing (a write into a closed session would succeed once, into the
// void).
func (e *Exporter) peerClosed() bool {
	sc, ok := e.conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	_ = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil || err != nil && err != syscall.EAGAIN && err != syscall.EINTR
		return true // never wait
	})
	return closed
}

// hello starts a new TCP session with the templates: a new session
// numbers its records from 0 (writeSession numbers what follows).
func (e *Exporter) hello() error {
	e.stats.Reconnects++
	hello := appendTemplates(make([]byte, headerLen, 512))
	hello = appendStatsSet(hello, e.cfg.Domain, e.stats)
	binary.BigEndian.PutUint16(hello[0:], version)
	binary.BigEndian.PutUint16(hello[2:], uint16(len(hello)))
	binary.BigEndian.PutUint32(hello[4:], uint32(e.cfg.Now().Unix()))
	binary.BigEndian.PutUint32(hello[8:], 0)
	binary.BigEndian.PutUint32(hello[12:], e.cfg.Domain)
	_ = e.conn.SetWriteDeadline(time.Now().Add(e.cfg.WriteTimeout))
	if _, err := e.conn.Write(hello); err != nil {
		e.conn.Close()
		e.conn = nil
		return err
	}
	e.stats.Messages++
	e.stats.Octets += uint64(len(hello))
	e.seq = 1 // the statistics record
	return nil
}

// Flush sends what the message holds, so that the collector sees the
// flows that ended by now, and on TCP the backlog when a session is up
// (or a new one opens).
func (e *Exporter) Flush() error {
	if e.nflows > 0 {
		e.send()
	} else if len(e.backlog) > 0 {
		if err := e.flushTCP(nil, 0, e.cfg.WriteTimeout); err != nil {
			e.lastErr = err
		}
	}
	return nil
}

// lastChance waits until deadline for a broken TCP session to come back
// and sends the backlog, dialling as connect allows (one at a time, one a
// second after a failure).
func (e *Exporter) lastChance(deadline time.Time) {
	for len(e.backlog) > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		err := e.flushTCP(nil, left, 0)
		if err == nil {
			return
		}
		e.lastErr = err
		if e.dialing == nil {
			// The dial failed (wait for the next one's time) or the new
			// session broke at once: do not spin.
			pause := max(e.retryAt.Sub(e.cfg.Now()), dialWait)
			t := time.NewTimer(min(pause, time.Until(deadline)))
			<-t.C
		}
	}
}

// Close sends what is left, then a last statistics record (counting every
// message but its own), and closes the socket. On TCP a backlog gets a
// last chance of CloseWait for the session to come back; what still waits
// then is lost and counted. Its error says when flow records were lost on
// TCP (on UDP the caller reports Stats' errors: the protocol promises no
// delivery).
func (e *Exporter) Close() error {
	// The flows first, so that the last statistics count them all.
	if e.nflows > 0 {
		e.send()
	}
	deadline := time.Now().Add(e.cfg.CloseWait)
	if len(e.backlog) > 0 {
		e.lastChance(deadline)
	}
	e.start()
	if e.needTmpl {
		// Nothing went this session (no flow): the statistics record needs
		// its template before it, as every data record does.
		e.msg = appendTemplates(e.msg)
		e.needTmpl = false
	}
	e.msg = appendStatsSet(e.msg, e.cfg.Domain, e.stats)
	e.nrec++
	e.send()
	if len(e.backlog) > 0 {
		// The session broke at the very end (a first wait that failed
		// has used up the deadline).
		e.lastChance(deadline)
	}
	if n := len(e.backlog); n > 0 {
		var flows uint64
		for _, p := range e.backlog {
			flows += uint64(p.nflows)
		}
		e.lost(uint64(n), flows, fmt.Errorf("not back within %v at the end: %w", e.cfg.CloseWait, e.lastErr))
		e.backlog, e.backlogBytes = nil, 0
	}
	if e.conn != nil {
		e.conn.Close()
		e.conn = nil
	}
	if e.dialing != nil {
		// A dial still under way: its connection, when it comes, is closed.
		go func(ch chan dialResult) {
			if r := <-ch; r.conn != nil {
				r.conn.Close()
			}
		}(e.dialing)
		e.dialing = nil
	}
	if e.t.Network == "tcp" && e.stats.NotSent > 0 {
		return fmt.Errorf("%d flow records were not exported: %w", e.stats.NotSent, e.firstErr)
	}
	return nil
}

// Stats returns the counters so far.
func (e *Exporter) Stats() Stats { return e.stats }

// Target returns where the exporter sends.
func (e *Exporter) Target() *Target { return e.t }

// Domain is the observation domain ID the messages carry.
func (e *Exporter) Domain() uint32 { return e.cfg.Domain }

// FirstError is the first send error, nil if none.
func (e *Exporter) FirstError() error { return e.firstErr }
