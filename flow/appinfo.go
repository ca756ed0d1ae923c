package flow

import (
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow/appmeta"
)

// SSHInfo is what the clear-text start of an SSH connection shows.
type SSHInfo struct {
	Client SSHSideInfo `json:"client"`
	Server SSHSideInfo `json:"server"`
}

// SSHSideInfo is one side's identification and key-exchange fingerprint
// (HASSH for the client, HASSHServer for the server; empty without KEXINIT).
type SSHSideInfo struct {
	Ident    string `json:"ident"`
	Software string `json:"software"`
	HASSH    string `json:"hassh"`
}

// HTTPInfo is the first HTTP/1.x request and response of a flow.
type HTTPInfo struct {
	Method    string `json:"method"`
	Host      string `json:"host"`
	Path      string `json:"path"` // truncated to 256 bytes
	UserAgent string `json:"user_agent"`
	Status    int    `json:"status"` // 0 without a response
}

func sshInfo(client, server []byte) *SSHInfo {
	c, _ := appmeta.ParseSSH(client)
	s, _ := appmeta.ParseSSH(server)
	if c == nil && s == nil {
		return nil
	}
	var si SSHInfo
	if c != nil {
		si.Client = SSHSideInfo{Ident: c.Ident, Software: c.Software, HASSH: c.HASSH}
	}
	if s != nil {
		si.Server = SSHSideInfo{Ident: s.Ident, Software: s.Software, HASSH: s.HASSHServer}
	}
	return &si
}

// sshDone reports whether both sides' identification and KEXINIT are in.
func sshDone(client, server []byte) bool {
	_, c := appmeta.ParseSSH(client)
	_, s := appmeta.ParseSSH(server)
	return c && s
}

func httpInfo(client, server []byte) *HTTPInfo {
	req, _ := appmeta.ParseHTTPRequest(client)
	if req == nil {
		return nil
	}
	hi := &HTTPInfo{Method: req.Method, Host: wireString(req.Host, len(req.Host), req.HostCut),
		Path: wireString(req.Target, req.TargetLen, false), UserAgent: wireString(req.UserAgent, len(req.UserAgent), req.UserAgentCut)}
	if resp, _ := appmeta.ParseHTTPResponse(server); resp != nil {
		hi.Status = resp.StatusCode
	}
	return hi
}

// httpDone reports whether the first response's status line is in.
func httpDone(server []byte) bool {
	resp, _ := appmeta.ParseHTTPResponse(server)
	return resp != nil
}

// hostName strips a port from an HTTP Host header ("host:80",
// "[2001:db8::1]:8080"), and nothing else: a Host with other colons in it
// (an attack, or garbage) is kept whole.
func hostName(host string) string {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || i == len(host)-1 || strings.Trim(host[i+1:], "0123456789") != "" {
		return host
	}
	h := host[:i]
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		return h[1 : len(h)-1]
	}
	if strings.IndexByte(h, ':') >= 0 {
		return host // an IPv6 literal without brackets: the last group is no port
	}
	return h
}

// maxWireString bounds a string from the wire in a record: names and
// headers are rarely longer, and a hostile one must not fill the output.
const maxWireString = 256

// wireString is s as a record keeps it: whole, or its first maxWireString
// bytes and a visible marker of what was left out, rather than dropped.
// total is the length the wire declared (len(s) when unknown); cut says s
// itself stopped at the bytes looked at, so the wire had more than total.
func wireString(s string, total int, cut bool) string {
	if len(s) <= maxWireString && total <= len(s) && !cut {
		return s
	}
	keep := min(len(s), maxWireString)
	more := strconv.Itoa(max(total, len(s)) - keep)
	if cut {
		more += "+"
	}
	return s[:keep] + "...(+" + more + " bytes)"
}
