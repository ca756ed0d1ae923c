package flow

import (
	"encoding/binary"
	"sync"

	"github.com/flowscope/flowscope/flow/quicmeta"
	"github.com/flowscope/flowscope/flow/service"
	"github.com/flowscope/flowscope/flow/tlsmeta"
)

// Service identification keeps the first payload bytes of each direction of
// a flow (TCP in sequence order, whatever order the segments came in; UDP
// the first few datagrams) and asks the detectors after each payload
// packet, until one is sure or the flow has shown enough payload packets.

const (
	svcBufSize = 4096 // bytes kept per direction: a post-quantum ClientHello or a certificate fits
	svcRanges  = 8    // out-of-order TCP pieces tracked per direction
	// svcMaxPackets bounds the payload packets per direction looked at.
	svcMaxPackets = 6
	// svcMaxDatagrams bounds the UDP datagrams per direction kept: enough
	// for a keepalive or a probe before the first real message, and for
	// a guess to be confirmed by what follows.
	svcMaxDatagrams = 4
	// svcMinBuf is the smallest buffer a direction gets; buffers grow
	// from it by doubling, up to svcBufSize.
	svcMinBuf = 256
	// svcFreeMax bounds the states (240 bytes each, without buffers) a
	// Table keeps for reuse: about the most that identify at once in
	// BenchmarkAnalyzer's mix, while a flood of flows that were
	// identifying together does not stay in memory.
	svcFreeMax = 4096
)

// svcRange is a piece of a TCP stream, or a UDP datagram, at [start, end)
// of the buffer.
type svcRange struct{ start, end uint16 }

type svcDir struct {
	// buf holds the side's first bytes: nil before its first payload, then
	// one of the size classes (svcMinBuf doubled up to svcBufSize), the
	// smallest that holds what came, taken from and returned to
	// svcBufPools.
	buf  []byte
	have int // contiguous bytes from the start of buf
	// ranges are, for TCP, the pieces past have; for UDP, the datagrams
	// kept, back to back from the start of buf.
	ranges  [svcRanges]svcRange
	base    uint32 // TCP sequence number of buf[0]
	nranges uint8
	based   bool
	fromSYN bool // base came from the side's SYN: buf holds its stream from the start
	pkts    uint8
}

// svcState is what a flow keeps while its service is not yet known.
type svcState struct {
	// quic gathers the client's Initial CRYPTO stream of a QUIC flow;
	// made on the first client long-header datagram.
	quic      *quicmeta.Assembler
	dir       [2]svcDir // by canonical side
	best      service.Result
	bestFrame uint64
	bestSide  int // canonical side whose bytes decided
	// metaHave is how many server bytes the metadata wait last looked
	// at, so that it parses again only when more came.
	metaHave  int
	firstSide int8 // side that sent payload first, -1 before
}

// The buffer size classes, each with its pool of arrays (pointers, so that
// putting one back does not allocate).
const svcClasses = 5 // 256, 512, 1024, 2048, 4096

// The largest class is svcBufSize (the build fails otherwise).
const _, _ = uint(svcBufSize - svcMinBuf<<(svcClasses-1)), uint(svcMinBuf<<(svcClasses-1) - svcBufSize)

var svcBufPools [svcClasses]sync.Pool

// svcClass returns the class of the smallest buffer that holds n bytes
// (n <= svcBufSize).
func svcClass(n int) int {
	c := 0
	for svcMinBuf<<c < n {
		c++
	}
	return c
}

// getSvcBuf returns a buffer of class c, its contents left as they were.
func getSvcBuf(c int) []byte {
	switch p := svcBufPools[c].Get(); c {
	case 0:
		if a, ok := p.(*[svcMinBuf]byte); ok {
			return a[:]
		}
		return new([svcMinBuf]byte)[:]
	case 1:
		if a, ok := p.(*[svcMinBuf << 1]byte); ok {
			return a[:]
		}
		return new([svcMinBuf << 1]byte)[:]
	case 2:
		if a, ok := p.(*[svcMinBuf << 2]byte); ok {
			return a[:]
		}
		return new([svcMinBuf << 2]byte)[:]
	case 3:
		if a, ok := p.(*[svcMinBuf << 3]byte); ok {
			return a[:]
		}
		return new([svcMinBuf << 3]byte)[:]
	default:
		if a, ok := p.(*[svcMinBuf << 4]byte); ok {
			return a[:]
		}
		return new([svcMinBuf << 4]byte)[:]
	}
}

// putSvcBuf returns a buffer from getSvcBuf to its pool.
func putSvcBuf(b []byte) {
	switch len(b) {
	case svcMinBuf:
		svcBufPools[0].Put((*[svcMinBuf]byte)(b))
	case svcMinBuf << 1:
		svcBufPools[1].Put((*[svcMinBuf << 1]byte)(b))
	case svcMinBuf << 2:
		svcBufPools[2].Put((*[svcMinBuf << 2]byte)(b))
	case svcMinBuf << 3:
		svcBufPools[3].Put((*[svcMinBuf << 3]byte)(b))
	case svcMinBuf << 4:
		svcBufPools[4].Put((*[svcMinBuf << 4]byte)(b))
	}
}

// room makes the buffer hold at least n bytes (n <= svcBufSize), moving
// what it has to a larger class if needed.
func (d *svcDir) room(n int) {
	if n <= len(d.buf) {
		return
	}
	b := getSvcBuf(svcClass(n))
	if d.buf != nil {
		copy(b, d.buf) // out-of-order pieces past have too
		putSvcBuf(d.buf)
	}
	d.buf = b
}

// release returns the buffer to its pool.
func (d *svcDir) release() {
	if d.buf != nil {
		putSvcBuf(d.buf)
		d.buf = nil
	}
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
	// other is what the side that did not decide res speaks, when that
	// side alone is surely another protocol (service.OtherSide); rare, so
	// a pointer keeps every flow's result small.
	other *service.Result
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
		// UDP: the first datagrams, each as far as the buffer has room.
		n := min(len(p.Payload), svcBufSize-d.have)
		if n == 0 || d.nranges >= svcMaxDatagrams {
			return false
		}
		d.room(d.have + n)
		copy(d.buf[d.have:], p.Payload)
		d.ranges[d.nranges] = svcRange{uint16(d.have), uint16(d.have + n)}
		d.nranges++
		d.have += n
		return true
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
	d.room(min(off+len(data), svcBufSize))
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
		d.ranges[d.nranges] = svcRange{uint16(start), uint16(end)}
		d.nranges++
	}
	for grew := true; grew; {
		grew = false
		for i := 0; i < int(d.nranges); i++ {
			r := d.ranges[i]
			if int(r.start) <= d.have {
				if int(r.end) > d.have {
					d.have = int(r.end)
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
// one-way flow gives up too); over UDP, svcMaxDatagrams per side.
func (s *svcState) done(tcp bool, clientSide int) bool {
	d0, d1 := &s.dir[0], &s.dir[1]
	if s.quic != nil && s.dir[clientSide].pkts < svcMaxPackets {
		if !s.quic.HasClientHello() {
			return false // its ClientHello may span several Initials
		}
	}
	if !tcp {
		// A sure verdict finishes at once, buffers and identification
		// slot freed, whether or not the other side has spoken: its
		// later datagrams are checked one by one (Table.otherSide).
		full := func(d *svcDir) bool { return d.nranges >= svcMaxDatagrams || d.have == svcBufSize }
		return s.best.Confidence == service.High || (full(d0) && full(d1))
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
	if !tcp {
		return true
	}
	switch service.MetaOf(s.best.Service) {
	case service.MetaTLS:
		return exhausted(srv) || tlsServerDone(srv.buf[:srv.have])
	case service.MetaSSH:
		return exhausted(srv) || exhausted(cl) || sshDone(cl.buf[:cl.have], srv.buf[:srv.have])
	case service.MetaHTTP:
		return exhausted(srv) || httpDone(srv.buf[:srv.have])
	}
	return true
}

// svcScratch is a Table's room for the detectors' input, reused by every
// identification (the detectors are called through function values, so
// an Input on the stack would move to the heap at every call).
type svcScratch struct {
	in     service.Input
	dgrams [2][svcMaxDatagrams][]byte
}

// identify runs the detectors on what the flow has shown so far.
func (s *svcState) identify(clientSide int, tcp bool, frame uint64, sc *svcScratch) {
	in := &sc.in
	*in = service.Input{
		Transport:   service.UDP,
		Client:      s.dir[clientSide].buf[:s.dir[clientSide].have],
		Server:      s.dir[1-clientSide].buf[:s.dir[1-clientSide].have],
		ClientFirst: int(s.firstSide) == clientSide,
	}
	if tcp {
		in.Transport = service.TCP
		in.MidStream = !s.dir[0].fromSYN && !s.dir[1].fromSYN
	} else {
		in.ClientDatagrams = s.dir[clientSide].datagrams(&sc.dgrams[0])
		in.ServerDatagrams = s.dir[1-clientSide].datagrams(&sc.dgrams[1])
		if len(in.ClientDatagrams) > 0 {
			in.Client = in.ClientDatagrams[0]
		}
		if len(in.ServerDatagrams) > 0 {
			in.Server = in.ServerDatagrams[0]
		}
	}
	// The latest verdict stands: with more bytes a detector may raise its
	// confidence or withdraw a guess (a bare "220" banner is no longer SMTP
	// once the client's command is not EHLO).
	r, _ := service.Identify(in)
	*sc = svcScratch{} // keep no buffer reachable from the table
	if r.Service != s.best.Service || r.Confidence != s.best.Confidence {
		s.best, s.bestFrame, s.bestSide = r, frame, clientSide
		if r.Dir == service.FromServer {
			s.bestSide = 1 - clientSide
		}
	}
}

// datagrams returns the UDP datagrams kept, as slices of the buffer in a.
func (d *svcDir) datagrams(a *[svcMaxDatagrams][]byte) [][]byte {
	for i := 0; i < int(d.nranges); i++ {
		a[i] = d.buf[d.ranges[i].start:d.ranges[i].end]
	}
	return a[:d.nranges]
}

// svcView returns the flow's identification so far: the kept result once
// finished, or the live verdict and prefixes while still identifying.
func (e *entry) svcView(sc *svcScratch) svcResult {
	sv := e.app.svc
	if sv == nil {
		return e.app.svcRes
	}
	r := svcResult{res: sv.best, frame: sv.bestFrame, evSide: sv.bestSide,
		fromSYN: [2]bool{sv.dir[0].fromSYN, sv.dir[1].fromSYN}}
	if r.res.Confidence < service.Medium {
		// A guess nothing confirmed (one NTP-sized datagram, a bare "220")
		// names nothing: other protocols look the same.
		r.res = service.Result{}
	}
	c, srv := &sv.dir[e.clientSide], &sv.dir[1-e.clientSide]
	switch meta := service.MetaOf(sv.best.Service); {
	case meta == service.MetaTLS:
		r.tls = tlsInfo(c.buf[:c.have], srv.buf[:srv.have])
	case meta == service.MetaSSH:
		r.ssh = sshInfo(c.buf[:c.have], srv.buf[:srv.have])
	case meta == service.MetaHTTP:
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
	tcp, udp := e.key.Proto == ProtoTCP, e.key.Proto == ProtoUDP
	if (tcp || udp) && r.res.Confidence >= service.Medium && c.have > 0 && srv.have > 0 {
		sc.in = service.Input{Transport: service.TCP, Client: c.buf[:c.have], Server: srv.buf[:srv.have],
			ClientFirst: int(sv.firstSide) == int(e.clientSide), MidStream: !c.fromSYN && !srv.fromSYN}
		if udp {
			sc.in.Transport, sc.in.MidStream = service.UDP, false
			sc.in.ClientDatagrams = c.datagrams(&sc.dgrams[0])
			sc.in.ServerDatagrams = srv.datagrams(&sc.dgrams[1])
			sc.in.Client, sc.in.Server = sc.in.ClientDatagrams[0], sc.in.ServerDatagrams[0]
		}
		if o, ok := service.OtherSide(&sc.in, r.res); ok {
			r.other = &o
		}
		*sc = svcScratch{}
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
	ti := &TLSInfo{SNI: wireString(ch.SNI, ch.SNILen, false), ALPN: ch.ALPN, JA3: ch.JA3, JA3Hash: ch.JA3Hash, JA4: ch.JA4, Version: "TLS 1.3"}
	ti.ClientVersion = tlsmeta.VersionName(maxVersion(ch))
	return ti
}

// newSvc returns an empty state: one the table kept, or a new one. It
// holds no buffers; they come with the payload.
func (t *Table) newSvc() *svcState {
	var sv *svcState
	if n := len(t.svcFree); n > 0 {
		sv = t.svcFree[n-1]
		t.svcFree[n-1] = nil
		t.svcFree = t.svcFree[:n-1]
	} else {
		sv = new(svcState)
	}
	sv.firstSide = -1
	t.stats.identifying++
	return sv
}

// finishSvc keeps the verdict and the first bytes of each side, and
// returns the buffers to their pools.
func (t *Table) finishSvc(e *entry) {
	a := e.app
	a.svcDone = true
	sv := a.svc
	if sv == nil {
		return
	}
	a.svcRes = e.svcView(&t.svcScratch)
	if e.key.Proto == ProtoUDP && a.svcRes.res.Confidence == service.High {
		// protocol-mismatch looks at up to svcMaxDatagrams of the other
		// side's datagrams: those to come, unless what came already
		// settled it (its own protocol, or nothing sure).
		switch n := int(sv.dir[1-sv.bestSide].nranges); {
		case n == 0:
			a.otherLeft = svcMaxDatagrams
		case a.svcRes.other != nil && n < svcMaxDatagrams:
			a.otherLeft = uint8(svcMaxDatagrams - n)
		}
	}
	a.svc = nil
	t.releaseSvc(sv)
}

// otherSide checks a datagram of the side that did not decide a sure UDP
// verdict, after identification finished and without keeping its bytes:
// the first must be surely another protocol (service.OtherSide), and none
// of those after it, up to svcMaxDatagrams in all, may be the flow's own
// (a DNS query answered by a SIP status, then by DNS, is no mismatch).
func (t *Table) otherSide(e *entry, side int, p *Packet) {
	a := e.app
	a.otherLeft--
	sc := &t.svcScratch
	in := &sc.in
	*in = service.Input{Transport: service.UDP}
	sc.dgrams[0][0] = p.Payload
	if side == int(e.clientSide) {
		in.Client, in.ClientDatagrams = p.Payload, sc.dgrams[0][:1]
	} else {
		in.Server, in.ServerDatagrams = p.Payload, sc.dgrams[0][:1]
	}
	switch {
	case a.svcRes.other == nil:
		if o, ok := service.OtherSide(in, a.svcRes.res); ok {
			a.svcRes.other = &o
		} else {
			a.otherLeft = 0 // its own protocol, or nothing sure
		}
	case service.OwnProtocol(in, a.svcRes.res):
		a.svcRes.other, a.otherLeft = nil, 0
	}
	*sc = svcScratch{} // keep no packet reachable from the table
}

// releaseSvc returns a service state's buffers to their pools and keeps
// the (now small) state for a later flow.
func (t *Table) releaseSvc(sv *svcState) {
	t.stats.identifying--
	sv.dir[0].release()
	sv.dir[1].release()
	*sv = svcState{} // the QUIC assembler, the verdict's strings: all go
	if len(t.svcFree) < svcFreeMax {
		t.svcFree = append(t.svcFree, sv)
	}
}
