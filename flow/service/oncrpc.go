package service

// ONC RPC (RFC 5531) and NFS, which runs on it: recognised by a call's
// header (RPC version 2, program, version, procedure and credentials),
// over TCP behind its record mark. A call to program 100003 is NFS;
// every other program (the portmapper 100000, mount, lock manager...) is
// onc-rpc. A reply alone names no program, and its few fixed fields fit
// other protocols' bytes (an OpenVPN reset, a DNS answer): a guess, unless
// it answers a call seen in the same flow.
var oncrpcProtocol = Protocol{
	Name: "onc-rpc", Transports: onBoth,
	// sunrpc is the portmapper's tcp/udp 111; mountd's 20048 is NFS's mount
	// protocol, an RPC program of its own.
	Registry:  []string{"sunrpc", "mountd"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&oncrpcDetector},
}

// File sharing: off its ports it matters most.
var nfsProtocol = Protocol{
	Name: "nfs", Transports: onBoth,
	Registry:  []string{"nfs"},
	OffPort:   SeverityHigh,
	Detectors: []*Detector{&nfsDetector},
}

var oncrpcDetector = Detector{
	Name:       "onc-rpc",
	Transports: onBoth,
	Detect:     func(in *Input) (Result, bool) { return detectRPC(in, false) },
}

var nfsDetector = Detector{
	Name:       "nfs",
	Transports: onBoth,
	Detect:     func(in *Input) (Result, bool) { return detectRPC(in, true) },
}

// RPC program numbers told apart.
const rpcNFS = 100003

// rpcHeader is at most the part of a call shown as evidence: XID, message
// type, RPC version, program, version, procedure.
const rpcHeader = 24

// detectRPC looks for a call from either side (the side that calls is the
// client, whatever the ports say), then for a lone reply. nfs claims only
// calls to NFS, onc-rpc only the others and replies alone.
func detectRPC(in *Input, nfs bool) (Result, bool) {
	if in == nil || (in.Transport != TCP && in.Transport != UDP) {
		return Result{}, false
	}
	tcp := in.Transport == TCP
	for _, side := range [...]Dir{FromClient, FromServer} {
		b, other := in.Client, in.Server
		if side == FromServer {
			b, other = other, b
		}
		m, ok := rpcMessage(b, tcp)
		if !ok || !rpcCall(m) {
			continue
		}
		if (be32(m[12:]) == rpcNFS) != nfs {
			return Result{}, false
		}
		return newResult(nameRPC(nfs), High, side, evidence{b: m[:rpcHeader]}), true
	}
	if nfs || len(in.Client) > 0 {
		return Result{}, false
	}
	if m, ok := rpcMessage(in.Server, tcp); ok && rpcReply(m) {
		return newResult("onc-rpc", Low, FromServer, evidence{b: head(m, rpcHeader)}), true
	}
	return Result{}, false
}

func nameRPC(nfs bool) string {
	if nfs {
		return "nfs"
	}
	return "onc-rpc"
}

// rpcMessage returns the message in b: over TCP the first record
// fragment, behind its 4-byte mark (the last-fragment bit, set: clients
// send a call in one fragment; then a 31-bit length of at least a reply's
// 24 bytes), cut to the buffer; over UDP the datagram.
func rpcMessage(b []byte, tcp bool) ([]byte, bool) {
	if !tcp {
		return b, len(b) >= 24
	}
	if len(b) < 4+24 {
		return nil, false
	}
	n := int(be32(b) & 0x7fffffff)
	if b[0]&0x80 == 0 || n < 24 || n > 1<<24 {
		return nil, false
	}
	return b[4:min(len(b), 4+n)], true
}

// rpcAuth checks an opaque_auth at m[i:]: a flavor flowscope knows
// (AUTH_NONE, AUTH_SYS, AUTH_SHORT, AUTH_DH, RPCSEC_GSS) and a body of at
// most 400 bytes. It returns the index after it.
func rpcAuth(m []byte, i int) (int, bool) {
	if len(m) < i+8 {
		return 0, false
	}
	switch be32(m[i:]) {
	case 0, 1, 2, 3, 6:
	default:
		return 0, false
	}
	n := be32(m[i+4:])
	if n > 400 || n%4 != 0 || (be32(m[i:]) == 0 && n != 0) {
		return 0, false
	}
	return i + 8 + int(n), len(m) >= i+8+int(n)
}

// rpcCall checks a call: message type 0, RPC version 2, a program of the
// defined ranges (from 100000; transient numbers end at 0x5fffffff), a
// small version, a procedure, and credentials and verifier that parse.
func rpcCall(m []byte) bool {
	if len(m) < 40 || be32(m[4:]) != 0 || be32(m[8:]) != 2 {
		return false
	}
	prog, vers, proc := be32(m[12:]), be32(m[16:]), be32(m[20:])
	if prog < 100000 || prog > 0x5fffffff || vers < 1 || vers > 100 || proc > 1000 {
		return false
	}
	i, ok := rpcAuth(m, 24)
	if !ok {
		return false
	}
	_, ok = rpcAuth(m, i)
	return ok
}

// rpcReply checks a reply: message type 1, then accepted (a verifier and
// an accept status 0 to 5) or denied (an RPC version mismatch naming
// version 2, or an authentication error 1 to 7, RFC 5531's and
// RPCSEC_GSS's).
func rpcReply(m []byte) bool {
	if len(m) < 24 || be32(m[4:]) != 1 {
		return false
	}
	switch be32(m[8:]) {
	case 0:
		i, ok := rpcAuth(m, 12)
		return ok && len(m) >= i+4 && be32(m[i:]) <= 5
	case 1:
		switch be32(m[12:]) {
		case 0:
			return len(m) >= 24 && be32(m[16:]) <= 2 && be32(m[20:]) >= 2
		case 1:
			return len(m) >= 20 && be32(m[16:]) >= 1 && be32(m[16:]) <= 7
		}
	}
	return false
}
