#!/usr/bin/env python3
"""Regenerates the tlsmeta test fixtures from /work/shared/captures with tshark.

streams.txt.gz: one line per TCP stream direction, "file stream side hex", where
side is c (the ClientHello sender) or s, and hex is the reassembled in-order
payload (tshark -z follow,tcp,raw) cut to a prefix to keep the fixture small.
hello.tsv / server.tsv: what tshark dissects from the same streams, as oracle.
quic.tsv: the (decrypted, reassembled) ClientHello message of QUIC captures,
from tshark's tls.handshake_raw, with tshark's SNI, ALPN and JA3.
Run: cd flow/tlsmeta/testdata && python3 gen.py
"""
import gzip, subprocess, sys

CAP = "/work/shared/captures/"
FILES = ["ndpi__443-curl.pcap", "ndpi__google_chat.pcapng",
         "zeek__openjdk-25.0.2-zeek.org.pcap", "ndpi__psiphon3.pcap",
         "ndpi__netflix.pcap", "ndpi__6in4tunnel.pcap", "ndpi__vxlan.pcap",
         "ndpi__mysql.pcapng"]
# Only the first stream of a file keeps enough server bytes for its
# certificate; the others keep the ServerHello.
CLIENT_MAX, SERVER_MAX, SERVER_SHORT = 2048, 8192, 1024


def tshark(*args):
    return subprocess.run(["tshark", *args], capture_output=True, text=True,
                          check=True).stdout


def fields(f, flt, names):
    args = ["-r", CAP + f, "-Y", flt, "-T", "fields", "-E", "occurrence=a"]
    for n in names:
        args += ["-e", n]
    return [l.split("\t") for l in tshark(*args).splitlines() if l]


streams, hello, server = [], [], []
for f in FILES:
    rows = fields(f, "tls.handshake.type==1", ["tcp.stream", "tcp.srcport",
        "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
        "tls.handshake.ja3_full", "tls.handshake.ja3"])
    seen = {}
    for r in rows:
        if r[0] in seen:
            continue  # the test looks at the first hello of each stream only
        seen[r[0]] = r[1]
        hello.append([f, r[0]] + r[2:])
    sans = {}
    for r in fields(f, "tls.handshake.type==11", ["tcp.stream", "x509ce.dNSName"]):
        sans.setdefault(r[0], r[1])
    done = set()
    for r in fields(f, "tls.handshake.type==2", ["tcp.stream", "tls.handshake.ja3s_full",
                                                 "tls.handshake.ja3s"]):
        if r[0] in done:
            continue
        done.add(r[0])
        server.append([f] + r + [sans.get(r[0], "")])
    for n, (st, cport) in enumerate(seen.items()):
        out = tshark("-r", CAP + f, "-q", "-z", "follow,tcp,raw," + st)
        nodes, data = [], {0: "", 1: ""}
        for line in out.splitlines():
            if line.startswith("Node "):
                nodes.append(line.rsplit(":", 1)[1].strip())
            elif line and all(c in "0123456789abcdef\t" for c in line):
                side = 1 if line.startswith("\t") else 0
                data[side] += line.strip()
        cside = 0 if nodes[0] == cport else 1
        streams.append(f"{f} {st} c {data[cside][:2*CLIENT_MAX]}")
        streams.append(f"{f} {st} s {data[1-cside][:2*(SERVER_SHORT if n else SERVER_MAX)]}")

with gzip.open("streams.txt.gz", "wt") as w:
    w.write("\n".join(streams) + "\n")
with open("hello.tsv", "w") as w:
    w.write("# file\tstream\tsni\talpn\tja3_full\tja3 (tshark -Y tls.handshake.type==1, first per stream)\n")
    for h in hello:
        w.write("\t".join(h) + "\n")
with open("server.tsv", "w") as w:
    w.write("# file\tstream\tja3s_full\tja3s\tdNSNames of all certificates (tshark -Y tls.handshake.type==2, first per stream)\n")
    for s in server:
        w.write("\t".join(s) + "\n")

def find_hello(node):
    """Finds the first tls.handshake_raw that is a ClientHello, at any depth."""
    if isinstance(node, list) and node and all(isinstance(p, tuple) for p in node):
        for k, v in node:
            if k == "tls.handshake_raw" and isinstance(v, list) and str(v[0]).startswith("01"):
                return v[0]
            found = find_hello(v)
            if found:
                return found
    elif isinstance(node, list):
        for v in node:
            found = find_hello(v)
            if found:
                return found
    return None


QUIC = ["ndpi__quic-v2.pcapng", "ndpi__quic_frags_different_dcid.pcapng",
        "ndpi__quic-34.pcap"]
import json
with open("quic.tsv", "w") as w:
    w.write("# file\tframe\tsni\talpn\tja3_full\tja3\thello hex\n")
    for f in QUIC:
        # tshark's JSON repeats keys; keep every pair so none is lost.
        pkts = json.loads(tshark("-r", CAP + f, "-Y", "tls.handshake.type==1",
                                 "-T", "json", "-x"), object_pairs_hook=lambda p: p)
        r = fields(f, "tls.handshake.type==1", ["frame.number",
            "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
            "tls.handshake.ja3_full", "tls.handshake.ja3"])[0]
        raw = find_hello(pkts[0])
        w.write("\t".join([f] + r + [raw]) + "\n")
