package flow

import (
	"net"

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
	hi := &HTTPInfo{Method: req.Method, Host: req.Host, Path: req.Target, UserAgent: req.UserAgent}
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

// hostName strips a port from an HTTP Host header.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}
