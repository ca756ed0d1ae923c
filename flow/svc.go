package flow

import (
	"encoding/binary"

	"github.com/flowscope/flowscope/flow/quicmeta"
	"github.com/flowscope/flowscope/flow/service"
	"github.com/flowscope/flowscope/flow/tlsmeta"
)

// Service identification keeps the first payload bytes of each direction of
// a flow (TCP in sequence order, whatever order the segments came in; UDP
// the first datagram) and asks the detectors after each payload packet,
// until one is sure or the flow has shown enough payload packets.

const (
	svcBufSize = 4096 // bytes kept per direction: a post-quantum ClientHello or a certificate fits
	svcRanges  = 8    // out-of-order TCP pieces tracked per direction
	// svcMaxPackets bounds the payload packets per direction looked at.
	svcMaxPackets = 6
)

type svcRange struct{ start, end int }

type svcDir struct {
	buf     [svcBufSize]byte
	have    int // contiguous bytes from the start of buf
	ranges  [svcRanges]svcRange
	nranges int
	base    uint32 // TCP sequence number of buf[0]
	based   bool
	fromSYN bool // base came from the side's SYN: buf holds its stream from the start
	pkts    int
}

// svcState is what a flow keeps while its service is not yet known.
type svcState struct {
	// quic gathers the client's Initial CRYPTO stream of a QUIC flow;
	// made on the first client long-header datagram.
	quic      *quicmeta.Assembler
	dir       [2]svcDir // by canonical side
	firstSide int8      // side that sent payload first, -1 before
	best      service.Result
	bestFrame uint64
	bestSide  int // canonical side whose bytes decided
	// metaHave is how many server bytes the metadata wait last looked
	// at, so that it parses again only when more came.
	metaHave int
}

// svcResult is what a flow keeps once identification has finished.
type svcResult struct {
	tls       *TLSInfo
	ssh       *SSHInfo
	http      *HTTPInfo
	res       service.Result
	frame     uint64
	evSide    int         // canonical side whose bytes decided
	fromSYN   [2]bool     // each side's prefix starts at its SYN
	prefix    [2][16]byte // first payload bytes per canonical side
	prefixLen [2]uint8
}

// noteSYN sets the sequence base of a side from its SYN.
func (s *svcState) noteSYN(side int, seq uint32) {
	d := &s.dir[side]
	if !d.based {
		d.base, d.based, d.fromSYN = seq+1, true, true
	}
}

// add files a payload packet's captured bytes and reports whether the
// contiguous prefix of that side grew.
func (s *svcState) add(side int, p *Packet) bool {
	d := &s.dir[side]
	if d.pkts >= svcMaxPackets {
		return false
	}
	d.pkts++
	if s.firstSide < 0 {
		s.firstSide = int8(side)
	}
	if p.Key.Proto != ProtoTCP {
		if d.have > 0 {
			return false // UDP: the first datagram is what detectors see
		}
		d.have = copy(d.buf[:], p.Payload)
		return d.have > 0
	}
	if !d.based {
		d.base, d.based = p.Seq, true
		if p.TCPFlags&FlagSYN != 0 {
			d.base, d.fromSYN = p.Seq+1, true
		}
	}
	seq := p.Seq
	if p.TCPFlags&FlagSYN != 0 {
		seq++ // data on a SYN (TCP Fast Open) follows the SYN's own sequence number
	}
	off := int(int32(seq - d.base))
	data := p.Payload
	if off < 0 {
		if -off >= len(data) {
			return false
		}
		data, off = data[-off:], 0
	}
	if off >= svcBufSize {
		return false
	}
	n := copy(d.buf[off:], data)
	before := d.have
	d.insertRange(off, off+n)
	return d.have > before
}

// insertRange records [start, end) as filled and extends the contiguous
// prefix with every piece that now joins it.
func (d *svcDir) insertRange(start, end int) {
	if start <= d.have {
		if end > d.have {
			d.have = end
		}
	} else if d.nranges < svcRanges {
		d.ranges[d.nranges] = svcRange{start, end}
		d.nranges++
	}
	for grew := true; grew; {
		grew = false
		for i := 0; i < d.nranges; i++ {
			r := d.ranges[i]
			if r.start <= d.have {
				if r.end > d.have {
					d.have = r.end
				}
				d.nranges--
				d.ranges[i] = d.ranges[d.nranges]
				grew = true
				i--
			}
		}
	}
}

// done reports whether identification can stop for good: a sure verdict,
// both sides exhausted, or 2×svcMaxPackets payload packets in all (so a
// one-way flow gives up too). UDP detectors see only each side's first
// datagram, so once both sides have one nothing more can change.
func (s *svcState) done(tcp bool, clientSide int) bool {
	d0, d1 := &s.dir[0], &s.dir[1]
	if s.quic != nil && s.dir[clientSide].pkts < svcMaxPackets {
		if _, ok := s.quic.ClientHello(); !ok {
			return false // its ClientHello may span several Initials
		}
	}
	if !tcp && d0.have > 0 && d1.have > 0 {
		return true
	}
	exhausted := func(d *svcDir) bool { return d.pkts >= svcMaxPackets || d.have == svcBufSize }
	if (exhausted(d0) && exhausted(d1)) || d0.pkts+d1.pkts >= 2*svcMaxPackets {
		return true
	}
	if s.best.Confidence != service.High {
		return false
	}
	// Sure of the service, but the metadata may still be on its way: keep
	// the bytes until the server's hello (and certificate), both SSH
	// key exchange inits or the HTTP response are in.
	cl, srv := &s.dir[clientSide], &s.dir[1-clientSide]
	if tcp && srv.have+cl.have == s.metaHave {
		return false // nothing new to parse since the last look
	}
	s.metaHave = srv.have + cl.have
	switch {
	case !tcp:
	case s.best.Service == "tls":
		return exhausted(srv) || tlsServerDone(srv.buf[:srv.have])
	case s.best.Service == "ssh":
		return exhausted(srv) || exhausted(cl) || sshDone(cl.buf[:cl.have], srv.buf[:srv.have])
	case s.best.Service == "http":
		return exhausted(srv) || httpDone(srv.buf[:srv.have])
	}
	return true
}

// identify runs the detectors on what the flow has shown so far.
func (s *svcState) identify(clientSide int, tcp bool, frame uint64) {
	in := service.Input{
		Transport:   service.UDP,
		Client:      s.dir[clientSide].buf[:s.dir[clientSide].have],
		Server:      s.dir[1-clientSide].buf[:s.dir[1-clientSide].have],
		ClientFirst: int(s.firstSide) == clientSide,
	}
	if tcp {
		in.Transport = service.TCP
	}
	// The latest verdict stands: with more bytes a detector may raise its
	// confidence or withdraw a guess (a bare "220" banner is no longer SMTP
	// once the client's command is not EHLO).
	r, _ := service.Identify(&in)
	if r.Service != s.best.Service || r.Confidence != s.best.Confidence {
		s.best, s.bestFrame, s.bestSide = r, frame, clientSide
		if r.Dir == service.FromServer {
			s.bestSide = 1 - clientSide
		}
	}
}

// svcView returns the flow's identification so far: the kept result once
// finished, or the live verdict and prefixes while still identifying.
func (e *entry) svcView() svcResult {
	sv := e.app.svc
	if sv == nil {
		return e.app.svcRes
	}
	r := svcResult{res: sv.best, frame: sv.bestFrame, evSide: sv.bestSide,
		fromSYN: [2]bool{sv.dir[0].fromSYN, sv.dir[1].fromSYN}}
	c, srv := &sv.dir[e.clientSide], &sv.dir[1-e.clientSide]
	switch {
	case sv.best.Service == "tls":
		r.tls = tlsInfo(c.buf[:c.have], srv.buf[:srv.have])
	case sv.best.Service == "ssh":
		r.ssh = sshInfo(c.buf[:c.have], srv.buf[:srv.have])
	case sv.best.Service == "http":
		r.http = httpInfo(c.buf[:c.have], srv.buf[:srv.have])
	case sv.quic != nil:
		if msg, ok := sv.quic.ClientHello(); ok {
			r.tls = quicTLSInfo(msg)
		}
	}
	for i := range sv.dir {
		d := &sv.dir[i]
		r.prefixLen[i] = uint8(copy(r.prefix[i][:min(d.have, len(r.prefix[i]))], d.buf[:d.have]))
	}
	return r
}

// feedQUIC passes a client datagram that starts with a long header to the
// flow's QUIC Initial assembler.
func (s *svcState) feedQUIC(p *Packet) {
	// A long header with the fixed bit and a version we can decrypt: most
	// UDP flows (DNS among them) fail this at once and cost nothing.
	b := p.Payload
	if s.quic == nil && (len(b) < 7 || b[0]&0xc0 != 0xc0 || !quicmeta.SupportedVersion(binary.BigEndian.Uint32(b[1:5]))) {
		return
	}
	if s.quic == nil {
		s.quic = new(quicmeta.Assembler)
	}
	s.quic.Add(p.Payload) // errors only mean "not an Initial we can read"
}

// quicTLSInfo is the metadata of a QUIC client's ClientHello.
func quicTLSInfo(msg []byte) *TLSInfo {
	ch, _, err := tlsmeta.ParseClientHelloMessage(msg, true)
	if err != nil || ch == nil {
		return nil
	}
	ti := &TLSInfo{SNI: ch.SNI, ALPN: ch.ALPN, JA3: ch.JA3, JA3Hash: ch.JA3Hash, JA4: ch.JA4, Version: "TLS 1.3"}
	ti.ClientVersion = tlsmeta.VersionName(maxVersion(ch))
	return ti
}

func (t *Table) newSvc() *svcState {
	var sv *svcState
	if n := len(t.svcFree); n > 0 {
		sv = t.svcFree[n-1]
		t.svcFree = t.svcFree[:n-1]
		for i := range sv.dir {
			d := &sv.dir[i]
			d.have, d.nranges, d.based, d.pkts = 0, 0, false, 0
		}
		sv.best, sv.bestFrame, sv.bestSide = service.Result{}, 0, 0
		sv.dir[0].fromSYN, sv.dir[1].fromSYN = false, false
		sv.metaHave = 0
		if sv.quic != nil {
			sv.quic.Reset()
			sv.quic = nil // most flows are not QUIC: do not keep 9 KiB for them
		}
	} else {
		sv = new(svcState)
	}
	sv.firstSide = -1
	return sv
}

// finishSvc keeps the verdict and the first bytes of each side, and
// returns the buffers to the pool.
func (t *Table) finishSvc(e *entry) {
	a := e.app
	a.svcDone = true
	if a.svc == nil {
		return
	}
	a.svcRes = e.svcView()
	t.svcFree = append(t.svcFree, a.svc)
	a.svc = nil
}
