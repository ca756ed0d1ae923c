package flow

import (
	"slices"
	"time"

	"github.com/flowscope/flowscope/flow/tlsmeta"
)

// TLSInfo is the clear-text handshake metadata of a TLS flow.
type TLSInfo struct {
	SNI           string   `json:"sni"`
	ALPN          []string `json:"alpn"`           // offered by the client
	ALPNChosen    string   `json:"alpn_chosen"`    // picked by the server
	ClientVersion string   `json:"client_version"` // highest offered
	Version       string   `json:"version"`        // negotiated
	Cipher        string   `json:"cipher"`         // negotiated suite, "0x1301"
	JA3           string   `json:"ja3"`
	JA3Hash       string   `json:"ja3_hash"`
	JA3S          string   `json:"ja3s"`
	JA3SHash      string   `json:"ja3s_hash"`
	JA4           string   `json:"ja4"`
	// Cert is the server's leaf certificate, when it went in clear (TLS <= 1.2).
	Cert *CertInfo `json:"cert,omitempty"`
}

// CertInfo is what a clear-text server certificate says.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SAN       []string  `json:"san"`
}

// tlsInfo parses the hellos (and certificate) out of each side's stream
// prefix; nil when the client's hello is not there.
func tlsInfo(client, server []byte) *TLSInfo {
	ch, _, err := tlsmeta.ParseClientHello(client)
	if err != nil || ch == nil {
		return nil
	}
	ti := &TLSInfo{SNI: wireString(ch.SNI, ch.SNILen, false), ALPN: ch.ALPN, JA3: ch.JA3, JA3Hash: ch.JA3Hash, JA4: ch.JA4}
	ti.ClientVersion = tlsmeta.VersionName(maxVersion(ch))
	if sh, _, err := tlsmeta.ParseServerHello(server); err == nil && sh != nil {
		ti.Version = tlsmeta.VersionName(sh.Version)
		ti.Cipher = tlsmeta.Hex16(sh.CipherSuite)
		ti.ALPNChosen = sh.ALPN
		ti.JA3S, ti.JA3SHash = sh.JA3S, sh.JA3SHash
		if sh.Version <= 0x0303 {
			if c, err := tlsmeta.ParseServerCertificate(server); err == nil && c != nil {
				ti.Cert = &CertInfo{Subject: c.Subject, Issuer: c.Issuer, NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), SAN: c.DNSNames}
			}
		}
	}
	return ti
}

// tlsServerDone reports whether the server's side of a TLS handshake is in:
// its hello and, below TLS 1.3, its clear-text certificate.
func tlsServerDone(server []byte) bool {
	sh, complete, err := tlsmeta.ParseServerHello(server)
	if err != nil || !complete || sh == nil {
		return false
	}
	if sh.Version > 0x0303 {
		return true
	}
	c, err := tlsmeta.ParseServerCertificate(server)
	return err == nil && c != nil
}

// maxVersion is the highest version a ClientHello offers. TLS 1.3 drafts
// (0x7fNN) rank between TLS 1.2 and TLS 1.3, whatever their number.
func maxVersion(ch *tlsmeta.ClientHello) uint16 {
	if len(ch.Versions) == 0 {
		return ch.LegacyVersion
	}
	rank := func(v uint16) int {
		if v>>8 == 0x7f {
			return 0x0303<<8 | int(v&0xff)
		}
		return int(v) << 8
	}
	return slices.MaxFunc(ch.Versions, func(a, b uint16) int { return rank(a) - rank(b) })
}
