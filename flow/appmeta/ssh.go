// Package appmeta extracts plaintext application metadata (SSH
// identification and KEXINIT with HASSH, HTTP/1.x request and response
// heads) from the first bytes one side of a TCP flow sent.
//
// Parsers never panic, look at no more than MaxPrefix bytes and tolerate a
// stream cut at any point: they return what is known so far with
// complete=false, so a caller can retry with more bytes.
package appmeta

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
)

// MaxPrefix is how many leading stream bytes the parsers look at.
const MaxPrefix = 4096

// SSH wire constants (RFC 4253).
const (
	sshMsgKexInit   = 20
	sshCookieLen    = 16
	sshMaxIdentLine = 255 // including CR LF, RFC 4253 section 4.2
	sshNameLists    = 10
)

// SSHSide is what one side of an SSH connection announced in clear text.
type SSHSide struct {
	Ident        string // identification line without CR LF
	ProtoVersion string // e.g. "2.0" or "1.99"
	Software     string // e.g. "OpenSSH_8.9p1"
	Comments     string // text after the first space, e.g. "Ubuntu-3"

	KexInit bool // the first binary packet was a well-formed KEXINIT

	// Name-lists of the KEXINIT, in wire order (languages omitted).
	KexAlgorithms             string
	ServerHostKeyAlgorithms   string
	EncryptionClientToServer  string
	EncryptionServerToClient  string
	MACClientToServer         string
	MACServerToClient         string
	CompressionClientToServer string
	CompressionServerToClient string

	// HASSH uses the client-to-server lists (the client view), HASSHServer
	// the server-to-client ones; both are filled for either side so the
	// caller need not know which side sent the bytes.
	HASSH                 string
	HASSHAlgorithms       string
	HASSHServer           string
	HASSHServerAlgorithms string
}

// ParseSSH parses an SSH identification line and the KEXINIT that follows.
// It returns nil until a complete identification line is seen; complete is
// true once the following binary packet is fully present and is a KEXINIT.
func ParseSSH(b []byte) (side *SSHSide, complete bool) {
	if len(b) > MaxPrefix {
		b = b[:MaxPrefix]
	}
	line, rest, ok := sshIdentLine(b)
	if !ok {
		return nil, false
	}
	s := &SSHSide{Ident: string(line)}
	s.splitIdent()
	if s.parseKexInit(rest) {
		return s, true
	}
	return s, false
}

// sshIdentLine finds the "SSH-" line, skipping the other lines a server may
// send first, and returns it without its line ending plus the bytes after.
func sshIdentLine(b []byte) (line, rest []byte, ok bool) {
	for len(b) > 0 {
		n := bytes.IndexByte(b, '\n')
		isIdent := len(b) >= 4 && string(b[:4]) == "SSH-"
		if n < 0 {
			return nil, nil, false // line still arriving
		}
		if isIdent {
			line = b[:n]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			if n+1 > sshMaxIdentLine {
				return nil, nil, false
			}
			return line, b[n+1:], true
		}
		b = b[n+1:]
	}
	return nil, nil, false
}

// splitIdent fills ProtoVersion, Software and Comments from Ident:
// "SSH-protoversion-softwareversion SP comments".
func (s *SSHSide) splitIdent() {
	id := s.Ident[4:]
	i := 0
	for i < len(id) && id[i] != '-' && id[i] != ' ' {
		i++
	}
	s.ProtoVersion = id[:i]
	if i >= len(id) || id[i] != '-' {
		return
	}
	sw := id[i+1:]
	for j := 0; j < len(sw); j++ {
		if sw[j] == ' ' {
			s.Software, s.Comments = sw[:j], sw[j+1:]
			return
		}
	}
	s.Software = sw
}

// parseKexInit reads the binary packet at the start of b and, if it is a
// complete KEXINIT, fills the lists and fingerprints.
func (s *SSHSide) parseKexInit(b []byte) bool {
	if len(b) < 6 {
		return false
	}
	plen := binary.BigEndian.Uint32(b)
	padLen := uint32(b[4])
	// The whole packet must be here; RFC 4253 demands at least 4 bytes of
	// padding, a length field of at least 16 bytes total.
	if plen > uint32(len(b)-4) || plen < padLen+2 || padLen < 4 {
		return false
	}
	payload := b[5 : 4+plen-padLen]
	if payload[0] != sshMsgKexInit || len(payload) < 1+sshCookieLen {
		return false
	}
	lists := payload[1+sshCookieLen:]
	// One string for all lists; the fields are substrings of it.
	str := string(lists)
	var out [sshNameLists]string
	off := 0
	for i := range out {
		if len(lists)-off < 4 {
			return false
		}
		n := binary.BigEndian.Uint32(lists[off:])
		off += 4
		if n > uint32(len(lists)-off) {
			return false
		}
		for _, c := range lists[off : off+int(n)] {
			if c < 0x21 || c > 0x7e {
				return false // names are printable US-ASCII
			}
		}
		out[i] = str[off : off+int(n)]
		off += int(n)
	}
	s.KexInit = true
	s.KexAlgorithms, s.ServerHostKeyAlgorithms = out[0], out[1]
	s.EncryptionClientToServer, s.EncryptionServerToClient = out[2], out[3]
	s.MACClientToServer, s.MACServerToClient = out[4], out[5]
	s.CompressionClientToServer, s.CompressionServerToClient = out[6], out[7]
	s.HASSHAlgorithms = out[0] + ";" + out[2] + ";" + out[4] + ";" + out[6]
	s.HASSHServerAlgorithms = out[0] + ";" + out[3] + ";" + out[5] + ";" + out[7]
	s.HASSH = md5Hex(s.HASSHAlgorithms)
	s.HASSHServer = md5Hex(s.HASSHServerAlgorithms)
	return true
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
