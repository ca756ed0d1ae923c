package tlsmeta

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// JA4 follows the FoxIO JA4 specification (technical_details/JA4.md):
//
//	a: proto, version, d|i, cipher count, extension count, ALPN first+last
//	b: sha256[:12] of the sorted cipher list
//	c: sha256[:12] of the sorted extension list (no SNI, no ALPN) "_" the
//	   signature algorithms in original order
//
// GREASE is ignored everywhere. Lists are 4-digit lower-case hex, comma joined.

// ja4EmptyHash stands for a hash of an empty list, as the spec prescribes.
const ja4EmptyHash = "000000000000"

// ja4 computes the fingerprint; proto is 't' (TCP), 'q' (QUIC) or 'd' (DTLS).
func (ch *ClientHello) ja4(proto byte) string {
	ciphers := withoutGREASE(ch.CipherSuites)
	exts := withoutGREASE(ch.Extensions)

	var a strings.Builder
	a.WriteByte(proto)
	a.WriteString(ja4Version(ch.ja4VersionValue()))
	if ch.hasSNI {
		a.WriteByte('d')
	} else {
		a.WriteByte('i')
	}
	a.WriteString(count2(len(ciphers)))
	a.WriteString(count2(len(exts)))
	a.WriteString(ja4ALPN(ch.ALPN))

	slices.Sort(ciphers)
	b := ja4EmptyHash
	if len(ciphers) > 0 {
		b = hash12(hexList(ciphers))
	}

	// The extension hash leaves out SNI and ALPN: part a already shows them,
	// and leaving them out keeps c stable across destinations.
	sorted := exts[:0:0]
	for _, e := range exts {
		if e != extServerName && e != extALPN {
			sorted = append(sorted, e)
		}
	}
	slices.Sort(sorted)
	c := ja4EmptyHash
	if len(sorted) > 0 {
		s := hexList(sorted)
		if sigs := withoutGREASE(ch.SigAlgs); len(sigs) > 0 {
			s += "_" + hexList(sigs)
		}
		c = hash12(s)
	}
	return a.String() + "_" + b + "_" + c
}

// ja4VersionValue is the highest supported_versions entry, else the legacy
// field. "Highest" is numeric as the spec says, so a hello also offering
// TLS 1.3 drafts (0x7fxx) gets version "00".
func (ch *ClientHello) ja4VersionValue() uint16 {
	if len(ch.Versions) == 0 {
		return ch.LegacyVersion
	}
	return slices.Max(ch.Versions) // Versions has GREASE removed already
}

func ja4Version(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0200, 0x0002:
		return "s2"
	case 0x0100:
		return "s1"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// ja4ALPN is the first and last character of the first ALPN value, "00"
// without one; a value that does not start and end with an ASCII letter or
// digit is shown by the first and last digit of its hex form instead.
func ja4ALPN(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	p := alpn[0]
	first, last := p[0], p[len(p)-1]
	if isAlnum(first) && isAlnum(last) {
		return string([]byte{first, last})
	}
	h := hex.EncodeToString([]byte(p))
	return string([]byte{h[0], h[len(h)-1]})
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// count2 is a two-digit count capped at 99.
func count2(n int) string {
	if n > 99 {
		n = 99
	}
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func withoutGREASE(vs []uint16) []uint16 {
	out := make([]uint16, 0, len(vs))
	for _, v := range vs {
		if !IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

func hexList(vs []uint16) string {
	var sb strings.Builder
	sb.Grow(len(vs) * 5)
	const digits = "0123456789abcdef"
	for i, v := range vs {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte(digits[v>>12])
		sb.WriteByte(digits[v>>8&0xf])
		sb.WriteByte(digits[v>>4&0xf])
		sb.WriteByte(digits[v&0xf])
	}
	return sb.String()
}

func hash12(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
