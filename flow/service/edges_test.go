package service

import (
	"strings"
	"testing"
)

// TestEdgeVerdicts covers the edges the samples do not reach: confidence
// and deciding direction.
func TestEdgeVerdicts(t *testing.T) {
	tcp := func(client, server string, clientFirst bool) Input {
		return Input{Transport: TCP, Client: []byte(client), Server: []byte(server), ClientFirst: clientFirst}
	}
	udp := func(client, server string) Input {
		return Input{Transport: UDP, Client: []byte(client), Server: []byte(server), ClientFirst: true}
	}
	mid := func(client, server string) Input {
		return Input{Transport: TCP, Client: []byte(client), Server: []byte(server), MidStream: true}
	}
	alert, signal := sampleIn("tls-midstream-alert"), sampleIn("tls-midstream-signal")
	zattoo := sampleIn("http-midstream-zattoo")
	krb := sampleIn("kerberos-as-req")
	radius := sampleIn("radius-access-request").Client
	rdpSyn, rdpSynAck := sampleIn("rdp-udp-syn").Client, sampleIn("rdp-udp-syn").Server
	krbTCP := string([]byte{0, 0, byte(len(krb.Client) >> 8), byte(len(krb.Client))}) + string(krb.Client)
	// The start of the curl ClientHello and a ServerHello record.
	ch := string(sampleIn("tls12-curl").Client)
	sh := string(sampleIn("tls12-curl").Server[:107])
	quic1 := string(sampleIn("quic-v1").Client)
	dnsQ := string(sampleIn("mdns-query").Client)
	vn := sampleIn("quic-version-negotiation").Server
	rdp := sampleIn("rdp-negreq")
	cases := []struct {
		name string
		d    *Detector
		in   Input
		want Confidence
		dir  Dir
	}{
		{"tls record header and type only", &tlsDetector, tcp(ch[:6], "", true), Medium, FromClient},
		{"http-midstream from a SYN", &httpMidStreamDetector, tcp(string(zattoo.Client), "", true), None, 0},
		{"xmpp-midstream from a SYN", &xmppMidStreamDetector, tcp("</stream:stream>", "", true), None, 0},
		{"xmpp-midstream stanza without a jabber namespace", &xmppMidStreamDetector,
			mid("<message to='a'><body>hi</body></message>", ""), None, 0},
		{"xmpp-midstream server stanza", &xmppMidStreamDetector, mid("", "<presence xmlns='jabber:client'/>"), Medium, FromServer},
		{"http-midstream status line only", &httpMidStreamDetector,
			mid("", string(zattoo.Server)), Medium, FromServer},
		{"http-midstream request line cut", &httpMidStreamDetector, mid(string(zattoo.Client[:120]), ""), None, 0},
		{"http-midstream request behind a body", &httpMidStreamDetector, mid("}]}GET / HTTP/1.1\r\n", ""), Medium, FromClient},
		{"http-midstream version without a request", &httpMidStreamDetector, mid("see HTTP/1.1 and HTTP/1.0\r\n", ""), None, 0},
		{"tls-midstream from a SYN", &tlsMidStreamDetector, tcp(string(alert.Client), "", true), None, 0},
		{"tls-midstream one record cut by the end", &tlsMidStreamDetector, mid(string(alert.Client[:20]), ""), None, 0},
		{"tls-midstream one record on each side", &tlsMidStreamDetector,
			mid(string(signal.Client[:39]), string(signal.Server)), Medium, FromClient},
		{"tls-midstream second header broken", &tlsMidStreamDetector,
			mid(string(signal.Client[:39])+"\x18\x03\x03\x00\x13", ""), None, 0},
		{"tls-midstream versions differ", &tlsMidStreamDetector,
			mid(string(signal.Client[:39])+"\x17\x03\x01\x00\x13", ""), None, 0},
		{"tls-midstream other side contradicts", &tlsMidStreamDetector,
			mid(string(signal.Client), "GET / HTTP/1.1\r\n"), None, 0},
		{"tls-midstream a longer server chain decides", &tlsMidStreamDetector,
			mid(string(signal.Server), string(signal.Client)), Medium, FromServer},
		{"tls hello cut after its header", &tlsDetector, tcp(ch[:9], "", true), Medium, FromClient},
		{"tls hello cut after its version", &tlsDetector, tcp(ch[:11], "", true), High, FromClient},
		{"tls first segment of a long hello", &tlsDetector, tcp(ch[:100], "", true), High, FromClient},
		{"tls server hello alone", &tlsDetector, tcp("", sh, false), High, FromServer},
		{"tls hello spread over two records", &tlsDetector,
			tcp("\x16\x03\x01\x00\x80\x01\x00\x01\x00\x03\x03", "", true), Medium, FromClient},
		{"tls client record longer than its hello", &tlsDetector,
			tcp("\x16\x03\x01\x02\x01"+ch[5:], "", true), None, 0},
		{"tls ClientHello from the server", &tlsDetector, tcp("", ch, false), None, 0},
		{"tls ServerHello from the client", &tlsDetector, tcp(sh, "", true), None, 0},
		{"tls application data", &tlsDetector, tcp("\x17\x03\x03\x00\x20\x01\x02", "", true), None, 0},
		{"tls record version 3.5", &tlsDetector, tcp("\x16\x03\x05"+ch[3:], "", true), None, 0},
		{"tls oversized record", &tlsDetector, tcp("\x16\x03\x01\x50\x00\x01", "", true), None, 0},
		{"tls hello with a 33-byte session id", &tlsDetector,
			tcp(ch[:43]+"\x21"+ch[44:], "", true), None, 0},
		{"tls over udp", &tlsDetector, udp(ch, ""), None, 0},
		{"sslv2 header only", &tlsDetector, tcp("\x80\x34\x01\x03\x01", "", true), Low, FromClient},
		{"sslv2 lengths disagree", &tlsDetector,
			tcp("\x80\x35\x01\x03\x01\x00\x1b\x00\x00\x00\x10", "", true), None, 0},

		{"quic v1 initial under 1200 bytes", &quicDetector, udp(quic1[:600], ""), Medium, FromClient},
		{"quic header cut before the length", &quicDetector, udp(quic1[:16], ""), Low, FromClient},
		{"quic short dcid from a client", &quicDetector,
			udp("\xc0\x00\x00\x00\x01\x04\x01\x02\x03\x04\x00\x00\x41\x00"+strings.Repeat("\x00", 1300), ""), None, 0},
		{"quic handshake packet first", &quicDetector, udp("\xe0"+quic1[1:], ""), None, 0},
		{"quic unknown version", &quicDetector, udp("\xc0\x00\x00\x00\x07"+quic1[5:], ""), None, 0},
		{"quic short header", &quicDetector, udp("\x40"+quic1[1:], ""), None, 0},
		{"quic greased fixed bit", &quicDetector, udp("\x82"+quic1[1:], ""), Medium, FromClient},
		{"quic tiny payload length", &quicDetector,
			udp("\xc0\x00\x00\x00\x01\x08\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00\x05"+strings.Repeat("\x00", 1300), ""), None, 0},
		{"quic version negotiation alone", &quicDetector,
			Input{Transport: UDP, Server: vn}, Low, FromServer},
		{"quic version negotiation for other ids", &quicDetector,
			udp("\xc0\x1a\x2a\x3a\x4a\x01\x99\x01\x98"+strings.Repeat("\x00", 40), string(vn)), None, 0},
		{"quic over tcp", &quicDetector, tcp(quic1, "", true), None, 0},

		{"http request cut in its target", &httpDetector, tcp("GET /index.ht", "", true), Medium, FromClient},
		{"http request cut in its version", &httpDetector, tcp("POST /x HTTP/1", "", true), Medium, FromClient},
		{"http absolute form", &httpDetector, tcp("GET http://example.com/ HTTP/1.0\r\n", "", true), High, FromClient},
		{"http connect", &httpDetector, tcp("CONNECT example.com:443 HTTP/1.1\r\n", "", true), High, FromClient},
		{"http webdav", &httpDetector, tcp("PROPFIND /dav/ HTTP/1.1\r\n", "", true), High, FromClient},
		{"http 0.9 request", &httpDetector, tcp("GET /\r\n", "", true), Medium, FromClient},
		{"http 0.9 style post", &httpDetector, tcp("POST /\r\n", "", true), None, 0},
		{"http 0.9 style get of no path", &httpDetector, tcp("GET x\r\n", "", true), None, 0},
		{"http lower-case method", &httpDetector, tcp("get / HTTP/1.1\r\n", "", true), None, 0},
		{"http unknown method", &httpDetector, tcp("FETCH / HTTP/1.1\r\n", "", true), None, 0},
		{"http/2 version in a request line", &httpDetector, tcp("GET / HTTP/2.0\r\n", "", true), None, 0},
		{"rtsp request", &httpDetector, tcp("OPTIONS rtsp://cam/stream RTSP/1.0\r\n", "", true), None, 0},
		{"sip request", &httpDetector, tcp("OPTIONS sip:bob@example.com SIP/2.0\r\n", "", true), None, 0},
		{"rtsp reply", &httpDetector, tcp("", "RTSP/1.0 200 OK\r\n", false), None, 0},
		{"http status cut in its code", &httpDetector, tcp("", "HTTP/1.1 20", false), Medium, FromServer},
		{"http status code 700", &httpDetector, tcp("", "HTTP/1.1 700 Odd\r\n", false), None, 0},
		{"http status code 2000", &httpDetector, tcp("", "HTTP/1.1 2000\r\n", false), None, 0},
		{"http request from the server", &httpDetector, tcp("", "GET / HTTP/1.1\r\n", false), None, 0},

		{"http2 preface cut", &http2Detector, tcp("PRI * HTTP/2.0\r\n", "", true), Medium, FromClient},
		{"http2 preface too short to say", &http2Detector, tcp("PRI * HTTP", "", true), None, 0},
		{"http2 preface from the server", &http2Detector, tcp("", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false), None, 0},

		{"ssh 1.5", &sshDetector, tcp("", "SSH-1.5-OldServer\r\n", false), High, FromServer},
		{"ssh from the client only", &sshDetector, tcp("SSH-2.0-PuTTY_Release_0.80\r\n", "", true), High, FromClient},
		{"ssh unusual version", &sshDetector, tcp("", "SSH-1.3-x\r\n", false), Medium, FromServer},
		{"ssh cut in the version", &sshDetector, tcp("", "SSH-2.", false), Medium, FromServer},
		{"ssh without a version", &sshDetector, tcp("", "SSH-x\r\n", false), None, 0},
		{"ssh client line after other text", &sshDetector, tcp("hello\r\nSSH-2.0-x\r\n", "", true), None, 0},

		{"smtp helo alone", &smtpDetector, tcp("HELO example.org\r\n", "", true), High, FromClient},
		{"smtp anonymous banner alone", &smtpDetector, tcp("", "220 mx ready\r\n", false), Low, FromServer},
		{"smtp anonymous banner then QUIT", &smtpDetector, tcp("QUIT\r\n", "220 mx ready\r\n", false), None, 0},
		{"smtp banner naming ftp", &smtpDetector, tcp("", "220 ftp.example.org FTP server\r\n", false), None, 0},
		{"smtp banner naming both", &smtpDetector, tcp("", "220 ftp.example.org ESMTP\r\n", false), Low, FromServer},
		{"smtp multi-line banner", &smtpDetector, tcp("", "220-mx.example.org\r\n220 ESMTP ok\r\n", false), High, FromServer},
		{"smtp 554 banner", &smtpDetector, tcp("", "554 no service\r\n", false), None, 0},
		{"smtp banner answering the client", &smtpDetector, tcp("GET / HTTP/1.1\r\n", "220 ESMTP\r\n", true), None, 0},

		{"ftp auth tls alone", &ftpDetector, tcp("AUTH TLS\r\n", "", true), Medium, FromClient},
		{"ftp feat alone", &ftpDetector, tcp("FEAT\r\n", "", true), Medium, FromClient},
		{"ftp user alone", &ftpDetector, tcp("USER bob\r\n", "", true), Low, FromClient},
		{"ftp anonymous banner alone", &ftpDetector, tcp("", "220 Service ready\r\n", false), Low, FromServer},
		{"ftp anonymous banner then EHLO", &ftpDetector, tcp("EHLO x\r\n", "220 ready\r\n", false), None, 0},
		{"ftp banner naming smtp", &ftpDetector, tcp("USER x\r\n", "220 ESMTP\r\n", false), None, 0},
		{"ftp ProFTPD banner", &ftpDetector, tcp("", "220 ProFTPD Server (Debian)\r\n", false), High, FromServer},

		{"pop3 bare +OK, also a Redis reply", &pop3Detector, tcp("", "+OK\r\n", false), Low, FromServer},
		{"pop3 anonymous greeting", &pop3Detector, tcp("", "+OK Dovecot ready.\r\n", false), Medium, FromServer},
		{"pop3 greeting naming pop3", &pop3Detector, tcp("", "+OK POP3 server ready\r\n", false), High, FromServer},
		{"pop3 capa alone", &pop3Detector, tcp("CAPA\r\n", "", true), Medium, FromClient},
		{"pop3 user alone", &pop3Detector, tcp("USER bob\r\n", "", true), Low, FromClient},
		{"redis +OK answering a client", &pop3Detector, tcp("*1\r\n$4\r\nQUIT\r\n", "+OK\r\n", true), None, 0},
		{"pop3 +OKAY", &pop3Detector, tcp("", "+OKAY\r\n", false), None, 0},
		{"pop3 -ERR greeting", &pop3Detector, tcp("USER bob\r\n", "-ERR busy\r\n", false), None, 0},

		{"imap anonymous greeting", &imapDetector, tcp("", "* OK ready\r\n", false), Medium, FromServer},
		{"imap preauth", &imapDetector, tcp("", "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n", false), High, FromServer},
		{"imap greeting with capabilities", &imapDetector, tcp("", "* OK [CAPABILITY IMAP4rev2 STARTTLS] x\r\n", false), High, FromServer},
		{"imap untagged other response", &imapDetector, tcp("", "* BYE\r\n", false), None, 0},
		{"imap bad tag", &imapDetector, tcp("a*1 LOGIN x y\r\n", "", true), None, 0},
		{"imap post-login command first", &imapDetector, tcp("a1 SELECT INBOX\r\n", "", true), None, 0},
		{"imap command cut", &imapDetector, tcp("a1 CAPABILITY", "", true), None, 0},

		{"dns root ns query", &dnsDetector, udp("\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01", ""), High, FromClient},
		{"dns query from the server side", &dnsDetector, Input{Transport: UDP, Server: []byte(dnsQ)}, Medium, FromServer},
		{"dns pointer in the first name", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", ""), None, 0},
		{"dns label over 63 bytes", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x40"+strings.Repeat("a", 64)+"\x00\x00\x01\x00\x01", ""), None, 0},
		{"dns name over 255 bytes", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"+strings.Repeat("\x3f"+strings.Repeat("a", 63), 4)+"\x00\x00\x01\x00\x01", ""), None, 0},
		{"dns opcode 3", &dnsDetector, udp("\x12\x34\x19\x00"+dnsQ[4:], ""), None, 0},
		{"dns z bit", &dnsDetector, udp("\x12\x34\x01\x40"+dnsQ[4:], ""), None, 0},
		{"dns query with an error code", &dnsDetector, udp("\x12\x34\x01\x03"+dnsQ[4:], ""), None, 0},
		{"dns counts beyond the message", &dnsDetector, udp(dnsQ[:6]+"\x00\x05"+dnsQ[8:], ""), None, 0},
		{"dns five questions", &dnsDetector, udp(dnsQ[:4]+"\x00\x05"+dnsQ[6:], ""), None, 0},
		{"dns class 2", &dnsDetector, udp(dnsQ[:len(dnsQ)-2]+"\x00\x02", ""), None, 0},
		{"dns qtype 0", &dnsDetector, udp(dnsQ[:len(dnsQ)-4]+"\x00\x00\x00\x01", ""), None, 0},
		{"dns control byte in a label", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03a\x01b\x00\x00\x01\x00\x01", ""), None, 0},
		{"netbios name query", &dnsDetector,
			udp("\x80\x01\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00\x20"+strings.Repeat("CA", 16)+"\x00\x00\x20\x00\x01", ""), None, 0},
		// RFC 1002 §4.2.13: a positive name query response carries no
		// question, its answer names the encoded NetBIOS name (type NB).
		{"netbios positive name query response", &dnsDetector,
			udp("", "\x80\x01\x85\x00\x00\x00\x00\x01\x00\x00\x00\x00\x20"+strings.Repeat("CA", 16)+
				"\x00\x00\x20\x00\x01\x00\x04\x93\xe0\x00\x06\x00\x00\xc0\xa8\x01\x02"), None, 0},
		{"nbns name query", &nbnsDetector,
			udp("\x80\x01\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00\x20"+strings.Repeat("CA", 16)+"\x00\x00\x20\x00\x01", ""), High, FromClient},
		{"nbns positive name query response", &nbnsDetector,
			udp("", "\x80\x01\x85\x00\x00\x00\x00\x01\x00\x00\x00\x00\x20"+strings.Repeat("CA", 16)+
				"\x00\x00\x20\x00\x01\x00\x04\x93\xe0\x00\x06\x00\x00\xc0\xa8\x01\x02"), High, FromServer},
		{"nbns name not encoded", &nbnsDetector,
			udp("\x80\x01\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00\x20"+strings.Repeat("CQ", 16)+"\x00\x00\x20\x00\x01", ""), None, 0},
		{"nbns dns type", &nbnsDetector,
			udp("\x80\x01\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00\x20"+strings.Repeat("CA", 16)+"\x00\x00\x01\x00\x01", ""), None, 0},
		// UPnP Device Architecture 2.0 §1.3.3: a search response.
		{"ssdp search response", &ssdpDetector,
			udp("", "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://192.168.1.1:5000/rootDesc.xml\r\n"+
				"ST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n"), High, FromServer},
		{"ssdp http over udp without search headers", &ssdpDetector, udp("", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"), Medium, FromServer},
		{"ssdp notify", &ssdpDetector, udp("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\n\r\n", ""), High, FromClient},
		{"ssdp get is not ssdp", &ssdpDetector, udp("GET / HTTP/1.1\r\n\r\n", ""), None, 0},
		// RFC 4120 §7.2.2: over TCP each message follows its 4-byte length.
		{"kerberos over tcp", &kerberosDetector, tcp(krbTCP, "", true), High, FromClient},
		{"kerberos over tcp, length disagrees", &kerberosDetector, tcp("\x00"+krbTCP[1:3]+string(krbTCP[3]+1)+krbTCP[4:], "", true), None, 0},
		{"kerberos error alone", &kerberosDetector, udp("", string(krb.Server)), High, FromServer},
		{"kerberos version 4", &kerberosDetector, udp(string(with(krb.Client, 12, 4)), ""), None, 0},
		{"kerberos msg-type disagrees with the tag", &kerberosDetector, udp(string(with(krb.Client, 17, 12)), ""), None, 0},
		{"syslog priority above 191", &syslogDetector, udp("<192>Dec  6 16:17:25 vm x: y", ""), None, 0},
		{"syslog priority with a leading zero", &syslogDetector, udp("<013>Dec  6 16:17:25 vm x: y", ""), None, 0},
		{"syslog without a header", &syslogDetector, udp("<13>hello", ""), Low, FromClient},
		{"syslog bad month", &syslogDetector, udp("<13>Dex  6 16:17:25 vm x: y", ""), Low, FromClient},
		{"syslog octet counting", &syslogDetector, tcp("34 <13>1 - vm flowscope - - - hello", "", true), High, FromClient},
		{"syslog octet counting over udp", &syslogDetector, udp("34 <13>1 - vm flowscope - - - hello", ""), None, 0},
		{"radius length disagrees", &radiusDetector, udp(string(radius[:len(radius)-1]), ""), None, 0},
		{"radius unknown code", &radiusDetector, udp(string(with(radius, 0, 6)), ""), None, 0},
		{"radius zero attribute length", &radiusDetector, udp(string(with(radius, 21, 0)), ""), None, 0},
		{"tftp mode binary", &tftpDetector, udp("\x00\x01hello.txt\x00binary\x00", ""), None, 0},
		{"tftp data", &tftpDetector, udp("\x00\x03hello.txt\x00octet\x00", ""), None, 0},
		{"tftp with options", &tftpDetector, udp("\x00\x02up.bin\x00OCTET\x00blksize\x001428\x00tsize\x000\x00", ""), High, FromClient},
		{"tftp option unterminated", &tftpDetector, udp("\x00\x02up.bin\x00octet\x00blksize", ""), None, 0},
		{"rdp-udp syn one byte short", &rdpUDPDetector, udp(string(rdpSyn[:1231]), ""), None, 0},
		{"rdp-udp syn+ack alone", &rdpUDPDetector, udp("", string(rdpSynAck)), Medium, FromServer},
		{"rdp-udp syn with an mtu too small", &rdpUDPDetector, udp(string(with(rdpSyn, 12, 0x03)), ""), None, 0},
		{"rdp-udp syn with an undefined flag", &rdpUDPDetector, udp(string(with(rdpSyn, 6, 0x38)), ""), None, 0},
		{"dns tcp length below a header", &dnsDetector,
			tcp("\x00\x0b"+dnsQ, "", true), None, 0},
		{"dns tcp two messages in a row", &dnsDetector,
			tcp("\x00\x21"+dnsQ+"\x00\x21"+dnsQ, "", true), High, FromClient},
		{"dns tcp without the prefix", &dnsDetector, tcp(dnsQ, "", true), None, 0},

		{"rdp bare connection request", &rdpDetector, tcp("\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x00\x00", "", true), Medium, FromClient},
		{"rdp routing token", &rdpDetector,
			tcp("\x03\x00\x00\x2f\x2a\xe0\x00\x00\x00\x00\x00Cookie: msts=3640205228.15629.0000\r\n", "", true), High, FromClient},
		{"rdp confirm alone", &rdpDetector,
			Input{Transport: TCP, Server: rdp.Server}, High, FromServer},
		{"rdp negotiation failure", &rdpDetector,
			tcp("", "\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x03\x00\x08\x00\x05\x00\x00\x00", false), High, FromServer},
		{"s7comm cotp request", &rdpDetector,
			tcp("\x03\x00\x00\x16\x11\xe0\x00\x00\x00\x01\x00\xc1\x02\x01\x00\xc2\x02\x01\x02\xc0\x01\x0a", "", true), None, 0},
		{"tpkt length disagreeing with x.224", &rdpDetector,
			tcp("\x03\x00\x00\x13\x0d\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00", "", true), None, 0},
		{"x.224 data tpdu", &rdpDetector, tcp("\x03\x00\x00\x0c\x02\xf0\x80\x7f\x65\x82\x01\x94", "", true), None, 0},
		{"rdp request from the server", &rdpDetector,
			Input{Transport: TCP, Server: rdp.Client}, None, 0},

		{"smb header alone", &smbDetector, tcp("\x00\x00\x00\x80\xfeSMB", "", true), High, FromClient},
		{"smb2 bad structure size", &smbDetector, tcp("\x00\x00\x00\x80\xfeSMB\x41\x00", "", true), None, 0},
		{"smb3 encrypted", &smbDetector, tcp("\x00\x00\x00\x80\xfdSMB", "", true), Medium, FromClient},
		{"smb1 too short", &smbDetector, tcp("\x00\x00\x00\x10\xffSMB", "", true), None, 0},
		{"smb other nbss type", &smbDetector, tcp("\x85\x00\x00\x00\xffSMB", "", true), None, 0},
		{"smb wrong magic", &smbDetector, tcp("\x00\x00\x00\x80\xfeSMC", "", true), None, 0},
		{"netbios request with a bad name", &smbDetector, tcp("\x81\x00\x00\x44\x20"+strings.Repeat("Z", 32), "", true), None, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ok := c.d.Detect(&c.in)
			if ok != (c.want != None) || r.Confidence != c.want || (ok && r.Dir != c.dir) {
				t.Errorf("%s: got ok=%v %v from %v (evidence %q), want %v from %v",
					c.d.Name, ok, r.Confidence, r.Dir, r.Evidence, c.want, c.dir)
			}
		})
	}
}

// TestEdgeEvidence covers near misses and the choices between confidence
// levels that the captured samples do not reach.
func TestEdgeEvidence(t *testing.T) {
	wgInit := sampleIn("wireguard handshake").Client
	ntpC := sampleIn("ntp client and server").Client
	ntpS := sampleIn("ntp client and server").Server
	ovC := sampleIn("openvpn udp").Client
	ovS := sampleIn("openvpn udp").Server
	vx := sampleIn("vxlan dns").Client
	gen := sampleIn("geneve ethernet").Client
	gpdu, echo := sampleIn("gtp-u g-pdu").Client, sampleIn("gtp-u echo")
	gtpc := sampleIn("gtp-c create session").Client
	cwd, cwt := sampleIn("capwap discovery").Client, sampleIn("capwap dtls").Client
	cw80211 := sampleIn("capwap data 802.11").Client
	dhcp := sampleIn("dhcp discover").Client
	snmp1 := sampleIn("snmp v1 getnext").Client
	mysql := sampleIn("mysql 8 greeting before tls").Server
	mqtt := sampleIn("mqtt 3.1 connect").Client
	mongoQ := sampleIn("mongodb-op-query").Client
	mongoReply := unhex("24000000010000009836 6e4d01000000 08000000 000000000000000000000000 00000000")
	mcBin := sampleIn("memcached-binary-getk").Client
	ldapBind := sampleIn("ldap-bind-search").Client[:14]
	prelogin := sampleIn("tds-prelogin-freetds").Client
	startTLS := append(unhex("301d02010177188016"), "1.3.6.1.4.1.1466.20037"...)
	// A LOGIN7 header and its first fields: length 94, TDS 7.4.
	tdsLogin := unhex("1001006600000100 5e000000 04000074 00100000")
	rpcCall := sampleIn("onc-rpc-getaddr-udp").Client
	rpcReply := sampleIn("onc-rpc-getaddr-udp").Server
	nfsCall := sampleIn("nfs-null-udp").Client
	tests := []struct {
		name   string
		det    string
		tr     Transport
		c, s   []byte
		want   Confidence
		wantEv string
	}{
		{"mysql version not a digit", "mysql", TCP, nil, with(mysql, 5, 'v'), None, ""},
		{"mysql version unterminated", "mysql", TCP, nil, mysql[:11], None, ""},
		{"mysql length too short for the fields", "mysql", TCP, nil, with(mysql, 0, 0x0a), None, ""},
		{"mysql protocol 9", "mysql", TCP, nil, with(mysql, 4, 9), None, ""},
		{"postgresql sslrequest wrong length", "postgresql", TCP, unhex("0000000904d2162f00"), nil, None, ""},
		{"postgresql startup without user yet", "postgresql", TCP, unhex("00000020000300006461746162617365006d61696c00"), nil, Medium, "\x00\x00\x00\x20\x00\x03\x00\x00"},
		{"postgresql startup bad name", "postgresql", TCP, unhex("0000002000030000752d7300"), nil, None, ""},
		{"postgresql protocol 2", "postgresql", TCP, unhex("000000260002000075736572006f72787900"), nil, None, ""},
		{"redis unknown command", "redis", TCP, []byte("*2\r\n$8\r\nJSON.GET\r\n$3\r\nkey\r\n"), nil, Medium, "JSON.GET"},
		{"redis inline get answered nil", "redis", TCP, []byte("get foo\r\n"), []byte("$-1\r\n"), Medium, "get"},
		{"redis inline set answered ok", "redis", TCP, []byte("SET foo bar\r\n"), []byte("+OK\r\n"), Medium, "SET"},
		{"redis inline incr answered integer", "redis", TCP, []byte("incr n\r\n"), []byte(":1\r\n"), Medium, "incr"},
		{"redis inline keys answered array", "redis", TCP, []byte("keys *\r\n"), []byte("*0\r\n"), Medium, "keys"},
		{"redis inline alone names nothing", "redis", TCP, []byte("get foo\r\n"), nil, None, ""},
		{"redis inline answered by memcached", "redis", TCP, []byte("get foo\r\n"), []byte("END\r\n"), None, ""},
		{"redis inline bad bulk length", "redis", TCP, []byte("get foo\r\n"), []byte("$x\r\n"), None, ""},
		{"pop3 quit answered +OK is not redis", "redis", TCP, []byte("QUIT\r\n"), []byte("+OK bye\r\n"), None, ""},
		{"pop3 answering a redis word -ERR is not redis", "redis", TCP, []byte("INFO\r\n"), []byte("-ERR unknown command\r\n"), None, ""},
		{"redis inline answered wrongtype", "redis", TCP, []byte("incr foo\r\n"), []byte("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"), Medium, "incr"},
		{"pop3 auth answered -ERR is not redis", "redis", TCP, []byte("AUTH PLAIN\r\n"), []byte("-ERR no\r\n"), None, ""},
		{"smtp line with a redis word", "redis", TCP, []byte("HELO x\r\n"), []byte("+OK\r\n"), None, ""},
		{"redis unknown command unterminated", "redis", TCP, []byte("*2\r\n$8\r\nJSON.GET"), nil, None, ""},
		{"redis array of arrays", "redis", TCP, []byte("*2\r\n*1\r\n"), nil, None, ""},
		{"redis inline ping needs CRLF", "redis", TCP, []byte("PING\n"), nil, None, ""},
		{"irc ping is not redis", "redis", TCP, []byte("PING :irc.example.net\r\n"), nil, None, ""},
		{"pop3 greeting is not redis", "redis", TCP, nil, []byte("+OK POP3 ready\r\n"), None, ""},
		{"redis reply with client bytes", "redis", TCP, []byte("HELO x\r\n"), []byte("+OK\r\n"), None, ""},
		{"redis noauth alone", "redis", TCP, nil, []byte("-NOAUTH Authentication required.\r\n"), Low, "-NOAUTH Authentication required."},
		{"mqtt reserved flag", "mqtt", TCP, with(mqtt, 11, mqtt[11]|1), nil, None, ""},
		{"mqtt level 4 with MQIsdp", "mqtt", TCP, with(mqtt, 10, 4), nil, None, ""},
		{"mqtt varint too long", "mqtt", TCP, unhex("10ffffffff7f00044d51545404"), nil, None, ""},
		{"mqtt connack with client bytes", "mqtt", TCP, []byte("x"), unhex("20020000"), None, ""},
		{"wireguard reserved byte", "wireguard", UDP, with(wgInit, 2, 1), nil, None, ""},
		{"wireguard initiation one byte long", "wireguard", UDP, append(append([]byte(nil), wgInit...), 0), nil, None, ""},
		{"wireguard data misaligned", "wireguard", UDP, append(unhex("04000000"), make([]byte, 40)...), nil, None, ""},
		{"openvpn ack of another session", "openvpn", UDP, ovC, with(ovS, 20, ovS[20]^1), Medium, string(ovC)},
		{"openvpn key id 1", "openvpn", UDP, with(ovC, 0, 0x39), nil, None, ""},
		{"openvpn zero session", "openvpn", UDP, unhex("3800000000000000000000000000"), nil, None, ""},
		{"openvpn data opcode", "openvpn", UDP, with(ovC, 0, 0x48), nil, None, ""},
		{"sip wrong version", "sip", UDP, []byte("INVITE sip:a@b SIP/3.0\r\n"), nil, None, ""},
		{"sip http uri", "sip", UDP, []byte("OPTIONS http://a/ SIP/2.0\r\n"), nil, None, ""},
		{"sip status 700", "sip", UDP, []byte("SIP/2.0 700 Nope\r\n"), nil, None, ""},
		{"rtsp star", "rtsp", TCP, []byte("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"), nil, High, "OPTIONS * RTSP/1.0"},
		{"rtsp 2.0 status", "rtsp", TCP, nil, []byte("RTSP/2.0 200 OK\r\n"), High, "RTSP/2.0 200 OK"},
		{"rtsp method lower case", "rtsp", TCP, []byte("options rtsp://a/ RTSP/1.0\r\n"), nil, None, ""},
		{"rtsp over udp", "rtsp", UDP, []byte("OPTIONS * RTSP/1.0\r\n"), nil, None, ""},
		{"ntp symmetric", "ntp", UDP, with(ntpC, 0, 0x21), with(ntpS, 0, 0x22), High, "\x21\x0b\x06\xef"},
		{"ntp modes disagree", "ntp", UDP, ntpC, with(ntpS, 0, 0x23), Low, "\x23\x0b\x06\xef"},
		{"ntp stratum 17", "ntp", UDP, with(ntpC, 1, 17), nil, None, ""},
		{"ntp version 5", "ntp", UDP, with(ntpC, 0, 0x2b), nil, None, ""},
		{"ntp control mode", "ntp", UDP, with(ntpC, 0, 0x26), nil, None, ""},
		{"ntp 50 bytes", "ntp", UDP, append(append([]byte(nil), ntpC...), 0, 0), nil, None, ""},
		{"ntp with MD5 MAC", "ntp", UDP, append(append([]byte(nil), ntpC...), make([]byte, 20)...), nil, Low, "\x23\x0b\x06\xef"},
		{"dhcp without cookie", "dhcp", UDP, with(dhcp, 236, 0), nil, None, ""},
		{"dhcp token ring", "dhcp", UDP, with(dhcp, 1, 6), nil, None, ""},
		{"dhcp no message type", "dhcp", UDP, with(dhcp, 240, 0xff), nil, High, "BOOTREQUEST"},
		{"snmp v1 getbulk", "snmp", UDP, with(snmp1, 14, 0xa5), nil, None, ""},
		{"snmp version 2", "snmp", UDP, with(snmp1, 4, 2), nil, None, ""},
		{"snmp trailing byte", "snmp", UDP, append(append([]byte(nil), snmp1...), 0), nil, None, ""},
		{"bittorrent dht node id short", "bittorrent", UDP, []byte("d1:ad2:id20:abc"), nil, None, ""},
		{"bittorrent dht error", "bittorrent", UDP, []byte("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"), nil, None, ""},
		{"bittorrent handshake over udp", "bittorrent", UDP, []byte("\x13BitTorrent protocol\x00\x00\x00\x00\x00\x00\x00\x00"), nil, None, ""},
		{"socks5 unoffered method chosen", "socks", TCP, unhex("050100"), unhex("0502"), Medium, "\x05\x01\x00"},
		{"socks5 no acceptable method", "socks", TCP, unhex("050100"), unhex("05ff"), High, "\x05\x01\x00"},
		{"socks5 unassigned method", "socks", TCP, unhex("05010a"), nil, None, ""},
		{"socks5 count beyond bytes", "socks", TCP, unhex("050300"), nil, None, ""},
		{"socks4 port zero", "socks", TCP, unhex("04010000c000021400"), nil, None, ""},
		{"socks4 unterminated user", "socks", TCP, []byte("\x04\x01\x00\x50\xc0\x00\x02\x14alice"), nil, None, ""},
		{"vxlan multicast source", "vxlan", UDP, with(vx, 14, 0x01), nil, None, ""},
		{"vxlan unknown ethertype", "vxlan", UDP, with(vx, 20, 0x88), nil, None, ""},
		{"vxlan flags", "vxlan", UDP, with(vx, 0, 0x0c), nil, None, ""},
		{"geneve version 1", "geneve", UDP, with(gen, 0, 0x40), nil, None, ""},
		{"geneve options past the end", "geneve", UDP, with(gen[:8], 0, 0x01), nil, None, ""},
		{"geneve inner contradicts", "geneve", UDP, with(with(gen, 2, 0x08), 3, 0x00), nil, None, ""},
		{"geneve unknown protocol", "geneve", UDP, with(gen, 3, 0x59), nil, None, ""},
		{"gtp-u g-pdu cut", "gtp", UDP, gpdu[:40], nil, Medium, string(gpdu[:8])},
		{"gtp-u length past the datagram", "gtp", UDP, with(gpdu, 3, 0x43), nil, None, ""},
		{"gtp-u length short of the datagram", "gtp", UDP, with(gpdu, 3, 0x41), nil, None, ""},
		{"gtp-u inner length contradicts", "gtp", UDP, with(gpdu, 19, 0x3b), nil, None, ""},
		{"gtp-u g-pdu teid 0", "gtp", UDP, with(with(gpdu, 6, 0), 7, 0), nil, None, ""},
		{"gtp-u extension of length 0", "gtp", UDP, with(gpdu, 12, 0), nil, None, ""},
		{"gtp-u extension chain past the datagram", "gtp", UDP, with(gpdu, 15, 0x85), nil, None, ""},
		{"gtp prime", "gtp", UDP, with(gpdu, 0, 0x24), nil, None, ""},
		{"gtp-u echo without sequence number", "gtp", UDP, with(echo.Client, 0, 0x30), nil, None, ""},
		{"gtp-u echo response without recovery", "gtp", UDP, nil, with(echo.Server, 12, 0x0f), None, ""},
		{"gtp-u end marker", "gtp", UDP, unhex("30fe000000001234"), nil, Medium, "\x30\xfe\x00\x00\x00\x00\x12\x34"},
		{"gtp-u unknown message type", "gtp", UDP, unhex("30fd000000001234")[:8], nil, Medium, "\x30\xfd\x00\x00\x00\x00\x12\x34"},
		{"gtp-u gtpv1-c message type", "gtp", UDP, unhex("321000040000000000070000"), nil, None, ""},
		{"gtp-c ie past the message", "gtp-c", UDP, with(gtpc, 14, 9), nil, None, ""},
		{"gtp-c length short", "gtp-c", UDP, with(gtpc, 3, 0x25), nil, None, ""},
		{"gtp-c piggybacked", "gtp-c", UDP, append(with(gtpc, 0, 0x58), sampleIn("gtp-c echo").Client...), nil, High, "\x58\x20\x00\x26"},
		{"gtp-c version 1", "gtp-c", UDP, with(gtpc, 0, 0x28), nil, None, ""},
		{"capwap hlen past the datagram", "capwap", UDP, with(cwd, 1, 0xf8), nil, None, ""},
		{"capwap radio mac past hlen", "capwap", UDP, with(cwd, 8, 9), nil, None, ""},
		{"capwap reserved flags", "capwap", UDP, with(cwd, 3, 0x11), nil, None, ""},
		{"capwap unknown binding", "capwap", UDP, with(cwd, 2, 0x04), nil, None, ""},
		{"capwap control length contradicts", "capwap", UDP, with(cwd, 22, 0x67), nil, None, ""},
		{"capwap fragment", "capwap", UDP, with(cw80211, 3, 0xa0), nil, Medium, string(with(cw80211, 3, 0xa0)[:8])},
		{"capwap 802.11 version bits in both bytes", "capwap", UDP, with(cw80211, 17, 0x09), nil, None, ""},
		{"capwap dtls reserved bytes", "capwap", UDP, with(cwt, 2, 1), nil, None, ""},
		{"capwap dtls record past the datagram", "capwap", UDP, cwt[:40], nil, None, ""},
		{"capwap dtls content type", "capwap", UDP, with(cwt, 4, 0x30), nil, None, ""},
		{"capwap preamble version 1", "capwap", UDP, with(cwd, 0, 0x10), nil, None, ""},
		{"telnet option negotiation then a prompt", "telnet", TCP, nil, []byte("\xff\xfb\x01\xff\xfb\x03login: "), High, "\xff\xfb\x01\xff\xfb\x03"},
		{"telnet subnegotiation", "telnet", TCP, unhex("fffd18fffa1801fff0"), nil, High, "\xff\xfd\x18\xff\xfa\x18\x01\xff\xf0"},
		{"telnet subnegotiation cut", "telnet", TCP, unhex("fffd18fffa1801"), nil, Low, "\xff\xfd\x18"},
		{"telnet unassigned option", "telnet", TCP, unhex("fffd80fffd81"), nil, None, ""},
		{"telnet other command first", "telnet", TCP, unhex("fff1fffd01"), nil, None, ""},
		{"telnet over udp", "telnet", UDP, unhex("fffd01fffb03"), nil, None, ""},
		{"vnc server version alone", "vnc", TCP, nil, []byte("RFB 003.003\n"), High, "RFB 003.003"},
		{"vnc version with a letter", "vnc", TCP, nil, []byte("RFB 003.00x\n"), None, ""},
		{"vnc version ended by CR", "vnc", TCP, nil, []byte("RFB 003.008\r"), None, ""},
		{"vnc version cut", "vnc", TCP, nil, []byte("RFB 003.008"), None, ""},
		{"irc one-argument USER is ftp's", "irc", TCP, []byte("USER anonymous\r\n"), nil, None, ""},
		{"irc PASS then NICK", "irc", TCP, []byte("PASS secret\r\nNICK alice\r\n"), nil, Medium, "NICK alice"},
		{"irc CAP LS 302", "irc", TCP, []byte("CAP LS 302\r\nNICK alice\r\n"), nil, High, "CAP LS 302"},
		{"irc NICK cut", "irc", TCP, []byte("NICK alice"), nil, None, ""},
		{"irc NICK with a space", "irc", TCP, []byte("NICK al ice\r\n"), nil, None, ""},
		{"irc server numeric", "irc", TCP, nil, []byte(":irc.example.net 001 alice :Welcome\r\n"), High, ":irc.example.net 001 alice :Welcome"},
		{"irc server prefix, no command", "irc", TCP, nil, []byte(":irc.example.net\r\n"), None, ""},
		{"xmpp xml declaration alone", "xmpp", TCP, []byte("<?xml version='1.0'?><foo/>"), nil, None, ""},
		{"xmpp stream header without namespaces", "xmpp", TCP, []byte("<stream:stream to='example.com'>"), nil, Medium, "<stream:stream to='example.com'>"},
		{"xmpp stream prefix of another tag", "xmpp", TCP, []byte("<stream:streams>"), nil, None, ""},
		{"mongodb request answering something", "mongodb", TCP, with(mongoQ, 8, 1), nil, None, ""},
		{"mongodb request cut inside its document", "mongodb", TCP, mongoQ[:60], nil, Medium, "OP_QUERY"},
		{"mongodb document longer than the message", "mongodb", TCP, with(mongoQ, 40, 0x01), nil, None, ""},
		{"mongodb reply alone", "mongodb", TCP, nil, mongoReply, Low, "OP_REPLY"},
		{"mongodb reply to the request", "mongodb", TCP, mongoQ[:60], mongoReply, High, "OP_QUERY"},
		{"memcached upper-case GET", "memcached", TCP, []byte("GET key\r\n"), nil, None, ""},
		{"memcached get without CRLF", "memcached", TCP, []byte("get key\n"), nil, None, ""},
		{"memcached get alone", "memcached", TCP, []byte("get key\r\n"), nil, Medium, "get key"},
		{"memcached set length not a number", "memcached", TCP, []byte("set k 0 0 x\r\n"), nil, None, ""},
		{"memcached set noreply, no answer yet", "memcached", TCP, []byte("set k 0 -1 5 noreply\r\nhello\r\n"), nil, Medium, "set k 0 -1 5 noreply"},
		{"memcached set noreply, the next get answered", "memcached", TCP, []byte("set k 0 0 5 noreply\r\nhello\r\nget k\r\n"),
			[]byte("VALUE k 0 5\r\nhello\r\nEND\r\n"), High, "set k 0 0 5 noreply"},
		{"memcached set answered NOT_STORED", "memcached", TCP, []byte("add k 0 0 5\r\nhello\r\n"), []byte("NOT_STORED\r\n"), High, "add k 0 0 5"},
		{"memcached set answered by redis", "memcached", TCP, []byte("set foo 0 0 5\r\n"), []byte("-ERR syntax error\r\n"), None, ""},
		{"memcached set answered by something else", "memcached", TCP, []byte("set foo 0 0 5\r\n"), []byte("200 OK\r\n"), Low, "set foo 0 0 5"},
		{"memcached get answered by redis, miss", "memcached", TCP, []byte("get foo\r\n"), []byte("$-1\r\n"), None, ""},
		{"memcached get answered by redis, hit", "memcached", TCP, []byte("get foo\r\n"), []byte("$3\r\nbar\r\n"), None, ""},
		{"memcached get answered by a text server", "memcached", TCP, []byte("get foo\r\n"), []byte("Unknown command\r\n"), Low, "get foo"},
		{"memcached get answered by memcached's ERROR", "memcached", TCP, []byte("get foo\r\n"), []byte("ERROR\r\n"), Medium, "get foo"},
		{"memcached get answered, VALUE line cut: no contradiction", "memcached", TCP, []byte("get foo\r\n"), []byte("VALUE foo 0 40"), Medium, "get foo"},
		{"memcached get answered, first word cut", "memcached", TCP, []byte("get foo\r\n"), []byte("VAL"), Medium, "get foo"},
		{"memcached delete noreply", "memcached", TCP, []byte("delete k 0 noreply\r\n"), nil, Medium, "delete k 0 noreply"},
		{"memcached delete with words after the key", "memcached", TCP, []byte("delete NICK get\r\n"), nil, None, ""},
		{"memcached get of a path", "memcached", TCP, []byte("get /index.html\r\n"), nil, Low, "get /index.html"},
		{"memcached get of a path answered", "memcached", TCP, []byte("get /a\r\n"), []byte("END\r\n"), High, "get /a"},
		{"memcached get of a path answered in html", "memcached", TCP, []byte("get /index.html\r\n"), []byte("<html>\r\n"), Low, "get /index.html"},
		{"memcached meta delete alone", "memcached", TCP, []byte("md x\r\n"), nil, Low, "md x"},
		{"memcached meta get answered with flags", "memcached", TCP, []byte("mg foo v\r\n"), []byte("VA 2 f0\r\nhi\r\n"), High, "mg foo v"},
		{"memcached meta delete answered by another protocol", "memcached", TCP, []byte("md x\r\n"), []byte("HDX\r\n"), Low, "md x"},
		{"memcached touch answered by redis", "memcached", TCP, []byte("touch a 1\r\n"), []byte(":1\r\n"), None, ""},
		{"memcached incr answered", "memcached", TCP, []byte("incr n 1\r\n"), []byte("42\r\n"), High, "incr n 1"},
		{"memcached binary answered in text", "memcached", TCP, mcBin, []byte("ERROR\r\n"), Low, string(mcBin[:8])},
		{"memcached udp answer without a frame header", "memcached", UDP, []byte("\x00\x01\x00\x00\x00\x01\x00\x00get key\r\n"),
			[]byte("END\r\n"), Low, "get key"},
		{"memcached set extra field", "memcached", TCP, []byte("set k 0 0 5 6\r\n"), nil, None, ""},
		{"memcached version alone", "memcached", TCP, []byte("version\r\n"), nil, Low, "version"},
		{"memcached version answered by redis", "memcached", TCP, []byte("version\r\n"), []byte("+OK\r\n"), None, ""},
		{"memcached version answered by something else", "memcached", TCP, []byte("version\r\n"), []byte("OK\r\n"), Low, "version"},
		{"memcached server alone", "memcached", TCP, nil, []byte("VERSION 1.6.18\r\n"), Low, "VERSION 1.6.18"},
		{"memcached udp without a frame header", "memcached", UDP, []byte("get key\r\n"), nil, None, ""},
		{"memcached udp request not datagram 0 of 1", "memcached", UDP, []byte("\x00\x01\x00\x01\x00\x02\x00\x00get key\r\n"), nil, None, ""},
		{"memcached binary data type set", "memcached", TCP, with(mcBin, 5, 1), nil, None, ""},
		{"memcached binary key past the body", "memcached", TCP, with(mcBin, 11, 4), nil, None, ""},
		{"ldap bind version 4", "ldap", TCP, with(ldapBind, 9, 4), nil, None, ""},
		{"ldap op longer than the message", "ldap", TCP, with(ldapBind, 6, 0x08), nil, None, ""},
		{"ldap bind cut", "ldap", TCP, ldapBind[:12], nil, Medium, "0\x0c\x02\x01\x01`\x07\x02\x01\x03\x04\x00"},
		{"ldap unbind", "ldap", TCP, unhex("30050201034200"), nil, Medium, "0\x05\x02\x01\x03B\x00"},
		{"ldap starttls", "ldap", TCP, startTLS, nil, Medium, string(startTLS[:16])},
		{"ldap starttls answered", "ldap", TCP, startTLS, unhex("300c02010178070a010004000400"), High, string(startTLS[:16])},
		{"ldap starttls answered for another id", "ldap", TCP, startTLS, unhex("300c02010278070a010004000400"), Medium, string(startTLS[:16])},
		{"tds prelogin tokens out of order", "tds", TCP, with(prelogin, 13, 0x03), nil, None, ""},
		{"tds packet of 8 bytes", "tds", TCP, unhex("1201000800000000"), nil, None, ""},
		{"tds prelogin option past the packet", "tds", TCP, with(prelogin, 12, 0x40), nil, None, ""},
		{"tds login7", "tds", TCP, tdsLogin, nil, High, "\x10\x01\x00\x66\x00\x00\x01\x00"},
		{"tds prelogin response alone", "tds", TCP, nil, unhex("0401001a00000100 00000b0006 0100110001 ff 0f0007d00000 02"), Low, "\x04\x01\x00\x1a\x00\x00\x01\x00"},
		{"tds response with a broken table", "tds", TCP, nil, unhex("0401001a00000100 00000c0006 0100110001 ff 0f0007d00000 02"), None, ""},
		{"tds sql batch", "tds", TCP, unhex("0101002e00000100 16000000 12000000 0200 0000000000000000 01000000 530045004c0045004300540020003100"), nil, Medium, "\x01\x01\x00\x2e\x00\x00\x01\x00"},
		{"amqp unknown version", "amqp", TCP, []byte("AMQP\x00\x00\x09\x02"), nil, None, ""},
		{"amqp connection.start", "amqp", TCP, nil, unhex("0100000000019c000a000a0009"), High, "\x01\x00\x00\x00\x00\x01\x9c\x00\x0a\x00\x0a\x00\x09"},
		{"onc-rpc version 3", "onc-rpc", UDP, with(rpcCall, 11, 3), nil, None, ""},
		{"onc-rpc unknown credential flavor", "onc-rpc", UDP, with(rpcCall, 27, 9), nil, None, ""},
		{"onc-rpc call from the server side", "onc-rpc", UDP, nil, rpcCall, High, string(rpcCall[:24])},
		{"onc-rpc over tcp without the last-fragment bit", "onc-rpc", TCP, append([]byte{0, 0, 0, 40}, rpcCall...), nil, None, ""},
		{"onc-rpc does not claim nfs", "onc-rpc", UDP, nfsCall, nil, None, ""},
		{"nfs does not claim the portmapper", "nfs", UDP, rpcCall, nil, None, ""},
		{"onc-rpc reply with an undefined accept status", "onc-rpc", UDP, nil, with(rpcReply, 23, 9), None, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Input{Transport: tt.tr, Client: tt.c, Server: tt.s, ClientFirst: len(tt.c) > 0}
			d := detectorNamed(t, tt.det)
			if got := checkedConf(t, d, in); got != tt.want {
				t.Fatalf("confidence %v, want %v", got, tt.want)
			}
			if r, ok := d.Detect(in); ok && r.Evidence != tt.wantEv {
				t.Errorf("evidence %q, want %q", r.Evidence, tt.wantEv)
			}
		})
	}
}

// TestIdentifyDatagrams: over UDP, Identify pairs each side's k-th
// datagram, so a protocol is found behind keepalives or a probe.
func TestIdentifyDatagrams(t *testing.T) {
	invite := sampleIn("sip invite")
	ntp := sampleIn("ntp client and server")
	keepalive := []byte("\r\n\r\n") // SIP's CRLF keepalive (RFC 5626 §4.4.1)
	probe := []byte{0, 0, 0, 0}
	cases := []struct {
		name           string
		client, server [][]byte
		service        string
		conf           Confidence
	}{
		{"sip behind two keepalives", [][]byte{keepalive, keepalive, invite.Client}, nil, "sip", High},
		{"ntp request behind a probe, one answer", [][]byte{probe, ntp.Client}, [][]byte{ntp.Server}, "ntp", High},
		{"keepalives alone", [][]byte{keepalive, keepalive}, [][]byte{keepalive}, "", None},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Input{Transport: UDP, ClientFirst: true, ClientDatagrams: c.client, ServerDatagrams: c.server}
			if len(c.client) > 0 {
				in.Client = c.client[0]
			}
			if len(c.server) > 0 {
				in.Server = c.server[0]
			}
			r, _ := Identify(&in)
			if r.Service != c.service || r.Confidence != c.conf {
				t.Errorf("got %q %v, want %q %v", r.Service, r.Confidence, c.service, c.conf)
			}
			if len(c.client) > 0 && &in.Client[0] != &c.client[0][0] {
				t.Errorf("Identify left Client changed")
			}
		})
	}
}

// TestConfirmation covers guesses that later datagrams or the other side
// confirm, or leave guesses.
func TestConfirmation(t *testing.T) {
	wg := sampleIn("wireguard transport session").ClientDatagrams
	probe := sampleIn("quic-reserved-version-probe").Client
	short := sampleIn("quic-short-headers")
	utp := sampleIn("bittorrent utp").ClientDatagrams
	nbdg := sampleIn("smb-netbios-datagram").Client
	ntp := sampleIn("ntp client and server")
	monlist := sampleIn("ntp-mode7-monlist").Server
	noEcho := with(ntp.Server, 24, ntp.Server[24]^0xff)
	notify := []byte("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n")
	rtp := sampleIn("rtp-stream").ClientDatagrams
	bind, dtls := sampleIn("stun-binding").Client, sampleIn("dtls-hello").Client
	rtcp, srtcp := sampleIn("rtcp-compound").ClientDatagrams, sampleIn("srtcp").ServerDatagrams
	channel := sampleIn("turn-channeldata").ClientDatagrams
	esp, ike := sampleIn("esp-in-udp").ServerDatagrams, sampleIn("ike-nat-t").Client
	esp1 := append([]byte{0, 0, 0, 1}, esp[0][4:]...)
	// probeCut is the probe with its length field one short of the datagram.
	probeCut := append([]byte(nil), probe[:len(probe)-1]...)
	udp := func(client, server [][]byte) Input {
		in := Input{Transport: UDP, ClientFirst: true, ClientDatagrams: client, ServerDatagrams: server}
		if len(client) > 0 {
			in.Client = client[0]
		}
		if len(server) > 0 {
			in.Server = server[0]
		}
		return in
	}
	cases := []struct {
		name string
		d    *Detector
		in   Input
		want Confidence
	}{
		{"wireguard transport data alone", &wireguardDetector, udp(wg[:1], nil), Low},
		{"wireguard two transport datagrams", &wireguardDetector, udp(wg[:2], nil), Medium},
		{"wireguard counter repeats", &wireguardDetector, udp([][]byte{wg[0], wg[0]}, nil), Low},
		{"wireguard receiver index changes", &wireguardDetector, udp([][]byte{wg[0], with(wg[1], 5, 0)}, nil), Low},
		{"ntp answer echoes the request", &ntpDetector, udp([][]byte{ntp.Client}, [][]byte{ntp.Server}), High},
		{"ntp answer without the echo", &ntpDetector, udp([][]byte{ntp.Client}, [][]byte{noEcho}), Medium},
		{"ntp mode 7, length disagrees", &ntpDetector, udp(nil, [][]byte{monlist[:len(monlist)-4]}), None},
		{"ntp mode 7 request", &ntpDetector, udp(nil, [][]byte{with(monlist, 0, 0x17)}), None},
		{"ntp v1 datagram alone", &ntpDetector, udp([][]byte{with(ntp.Client, 0, 0x0b)}, nil), None},
		{"quic reserved probe filling its datagram", &quicDetector, udp([][]byte{probe}, nil), Medium},
		{"quic reserved probe not filling it", &quicDetector, udp([][]byte{probeCut}, nil), Low},
		{"quic reserved probe repeated", &quicDetector, udp([][]byte{probeCut, append([]byte(nil), probeCut...)}, nil), Medium},
		{"quic google version, datagram too short", &quicDetector,
			udp([][]byte{sampleIn("gquic-q039").Client[:600]}, nil), Low},
		{"quic short headers, two datagrams", &quicMidStreamDetector,
			udp(short.ClientDatagrams[:2], short.ServerDatagrams), None},
		{"quic short headers, server sends a long header", &quicMidStreamDetector,
			udp(short.ClientDatagrams, [][]byte{with(short.ServerDatagrams[0], 0, 0xc0)}), None},
		{"netbios datagram, length disagrees", &smbDatagramDetector, udp([][]byte{nbdg[:len(nbdg)-1]}, nil), None},
		{"netbios datagram, name not encoded", &smbDatagramDetector, udp([][]byte{with(nbdg, 20, 'Z')}, nil), None},
		{"netbios datagram, no smb inside", &smbDatagramDetector, udp([][]byte{with(nbdg, 82, 0xfe)}, nil), None},
		{"netbios datagram, a later fragment", &smbDatagramDetector, udp([][]byte{with(nbdg, 1, 0x00)}, nil), None},
		{"netbios datagram", &smbDatagramDetector, udp([][]byte{nbdg}, nil), High},
		{"utp two datagrams", &bittorrentDetector, udp(utp[:2], nil), None},
		{"utp timestamps going back", &bittorrentDetector, udp([][]byte{utp[0], utp[2], utp[1]}, nil), None},
		{"utp connection id changes", &bittorrentDetector, udp([][]byte{utp[0], utp[1], with(utp[2], 3, 0)}, nil), None},
		{"utp three datagrams", &bittorrentDetector, udp(utp, nil), Medium},
		{"quic short headers, text repeats", &quicMidStreamDetector, udp([][]byte{notify, notify, notify}, nil), None},
		{"rtp two datagrams", &rtpDetector, udp(rtp[:2], nil), Low},
		{"rtp sequence repeats", &rtpDetector, udp([][]byte{rtp[0], rtp[1], rtp[1]}, nil), None},
		{"rtp ssrc changes", &rtpDetector, udp([][]byte{rtp[0], rtp[1], with(rtp[2], 11, 0)}, nil), None},
		{"rtp timestamp goes back", &rtpDetector, udp([][]byte{rtp[0], rtp[2], with(rtp[1], 4, 0)}, nil), None},
		{"rtp two each way", &rtpDetector, udp(rtp[:2], [][]byte{with(rtp[0], 8, 1), with(rtp[1], 8, 1)}), Medium},
		{"rtp after stun", &rtpDetector, udp(append([][]byte{bind}, rtp...), nil), None}, // the verdict is on rtp's datagrams
		{"stun then rtp", &stunDetector, udp(append([][]byte{bind}, rtp...), nil), None},
		{"stun then two rtp", &stunDetector, udp(append([][]byte{bind}, rtp[:2]...), nil), High},
		{"stun binding alone", &stunDetector, udp([][]byte{bind}, nil), High},
		{"stun with dtls after", &stunDetector, udp([][]byte{bind, dtls}, nil), None},
		{"rtcp alone", &rtcpDetector, udp(rtcp[:1], nil), Medium},
		{"rtcp length one short", &rtcpDetector, udp([][]byte{with(rtcp[0], 3, rtcp[0][3]-1)}, nil), None},
		{"srtcp alone", &rtcpDetector, udp(srtcp[:1], nil), Low},
		{"srtcp index repeats", &rtcpDetector, udp([][]byte{srtcp[0], srtcp[0]}, nil), Low},
		{"turn channel data alone", &stunDetector, udp(channel[:1], nil), None},
		{"turn channels differ", &stunDetector, udp([][]byte{channel[0], with(channel[1], 1, 4)}, nil), None},
		{"esp two datagrams", &espDetector, udp(esp[:2], nil), Medium},
		{"esp one datagram", &espDetector, udp(esp[:1], nil), None},
		{"esp sequence repeats", &espDetector, udp([][]byte{esp[0], esp[1], esp[1]}, nil), None},
		{"esp spi changes", &espDetector, udp([][]byte{esp[0], with(esp[1], 3, 0)}, nil), None},
		{"esp reserved spi", &espDetector, udp([][]byte{esp1, esp1, esp1}, nil), None},
		{"esp both ways under one spi", &espDetector, udp(esp[:2], esp[:2]), None},
		{"esp after ike and a keepalive", &espDetector, udp([][]byte{esp[0], ike, {0xff}, esp[1], esp[2]}, nil), High},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := checkedConf(t, c.d, &c.in); got != c.want {
				t.Errorf("%s: %v, want %v", c.d.Name, got, c.want)
			}
		})
	}
}

// TestOtherSide: a side that alone is surely another protocol than the
// flow's is reported; a flow whose sides agree, or where one side is only
// a guess, is not.
func TestOtherSide(t *testing.T) {
	get := sampleIn("http-get").Client
	ssh := sampleIn("ssh-openssh").Server
	hello := sampleIn("tls12-curl").Client
	status := sampleIn("http-status-only").Server
	cases := []struct {
		name           string
		client, server []byte
		want           string // the other side's service, "" for none
		dir            Dir
	}{
		{"http request answered by an ssh banner", get, ssh, "http", FromClient},
		{"tls hello answered by an http status", hello, status, "http", FromServer},
		{"ssh on both sides", sampleIn("ssh-openssh").Client, ssh, "", 0},
		{"tls on both sides", hello, sampleIn("tls12-curl").Server, "", 0},
		{"client silent", nil, ssh, "", 0},
		{"other side unrecognised", []byte("hello\r\n"), ssh, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Input{Transport: TCP, Client: c.client, Server: c.server, ClientFirst: true}
			r, ok := Identify(&in)
			if !ok {
				t.Fatal("nothing identified")
			}
			o, ok := OtherSide(&in, r)
			if o.Service != c.want || ok != (c.want != "") || (ok && o.Dir != c.dir) {
				t.Errorf("flow %s from %v; other side %q from %v (%v), want %q from %v", r.Service, r.Dir, o.Service, o.Dir, ok, c.want, c.dir)
			}
			if string(in.Client) != string(c.client) || string(in.Server) != string(c.server) || !in.ClientFirst {
				t.Error("OtherSide left the input changed")
			}
		})
	}
}

// TestOtherSideUDP: over UDP each side's datagrams are its own, but only a
// sure verdict on both sides counts, and any of the other side's datagrams
// in the flow's protocol clears it.
func TestOtherSideUDP(t *testing.T) {
	query, answer := sampleIn("dns-udp-aaaa").Client, sampleIn("dns-udp-aaaa").Server
	sip := sampleIn("sip status in gre").Client
	mc := sampleIn("memcached-udp-get")
	ovpn := sampleIn("openvpn client alone").Client
	cases := []struct {
		name           string
		client, server [][]byte
		want           string
	}{
		{"dns query answered by a sip status", [][]byte{query}, [][]byte{sip}, "sip"},
		{"dns query and its answer", [][]byte{query}, [][]byte{answer}, ""},
		{"dns answer after a sip status", [][]byte{query}, [][]byte{sip, answer}, ""},
		{"memcached get and its value", [][]byte{mc.Client}, [][]byte{mc.Server}, ""},
		{"a medium verdict is no ground", [][]byte{ovpn}, [][]byte{sip}, ""},
		{"client alone", [][]byte{query}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The flow decides on the client's datagram before the answer.
			in := Input{Transport: UDP, Client: c.client[0], ClientDatagrams: c.client, ClientFirst: true}
			r, ok := Identify(&in)
			if !ok {
				t.Fatal("nothing identified")
			}
			in.ServerDatagrams = c.server
			if len(c.server) > 0 {
				in.Server = c.server[0]
			}
			o, ok := OtherSide(&in, r)
			if o.Service != c.want || ok != (c.want != "") || (ok && o.Dir != FromServer) {
				t.Errorf("flow %s (%v); other side %q from %v (%v), want %q", r.Service, r.Confidence, o.Service, o.Dir, ok, c.want)
			}
			if len(in.ClientDatagrams) != len(c.client) || len(in.ServerDatagrams) != len(c.server) {
				t.Error("OtherSide left the input changed")
			}
		})
	}
	if !udpMuxed("stun") || !udpMuxed("dtls") || udpMuxed("dns") {
		t.Error("udpMuxed: RFC 7983's protocols share a port pair, DNS does not")
	}
}

// TestOtherSideSamples: no sample of a protocol is taken for two
// protocols, one a side.
func TestOtherSideSamples(t *testing.T) {
	for _, s := range samples {
		in := s.in
		r, ok := Identify(&in)
		if !ok {
			continue
		}
		if o, ok := OtherSide(&in, r); ok {
			t.Errorf("%s: %s, yet its %v side alone is %s (%v, evidence %q)", s.name, r.Service, o.Dir, o.Service, o.Confidence, o.Evidence)
		}
	}
}
