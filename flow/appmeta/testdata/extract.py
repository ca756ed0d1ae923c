# Extract per-direction TCP stream prefixes with tshark and write hex fixtures.
import subprocess, sys, os
out = sys.argv[1]
jobs = [
 # (pcap, stream, node, name, kind)
 ("ndpi__ssh.pcap", 0, 0, "ssh_ndpi_client", "ssh"),
 ("ndpi__ssh.pcap", 0, 1, "ssh_ndpi_server", "ssh"),
 ("zeek__gre-sample.pcap", 0, 0, "ssh_gre_client", "ssh"),
 ("zeek__gre-sample.pcap", 0, 1, "ssh_gre_server", "ssh"),
 ("ndpi__http.pcapng", 0, 0, "http_ndpi_req", "http"),
 ("ndpi__http.pcapng", 0, 1, "http_ndpi_resp", "http"),
 ("ndpi__http-manipulated.pcap", 0, 0, "http_manip0_req", "http"),
 ("ndpi__http-manipulated.pcap", 0, 1, "http_manip0_resp", "http"),
 ("ndpi__http-manipulated.pcap", 1, 0, "http_manip1_req", "http"),
 ("ndpi__http-manipulated.pcap", 1, 1, "http_manip1_resp", "http"),
 ("ndpi__netflix.pcap", 12, 0, "http_netflix12_req", "http"),
 ("ndpi__netflix.pcap", 15, 0, "http_netflix15_req", "http"),
 ("ndpi__netflix.pcap", 19, 0, "http_netflix19_req", "http"),
 ("ndpi__netflix.pcap", 34, 0, "http_netflix34_req", "http"),
 ("ndpi__netflix.pcap", 34, 1, "http_netflix34_resp", "http"),
 ("ndpi__netflix.pcap", 45, 1, "http_netflix45_resp", "http"),
]
for pcap, stream, node, name, kind in jobs:
    txt = subprocess.run(["tshark", "-r", "/work/shared/captures/" + pcap, "-q", "-z", "follow,tcp,raw,%d" % stream],
                         capture_output=True, text=True, check=True).stdout
    nodes = {}
    data = {0: b"", 1: b""}
    for line in txt.splitlines():
        if line.startswith("Node "):
            nodes[int(line[5])] = line.split(": ", 1)[1]
            continue
        if not line.strip() or line.startswith("=") or ":" in line:
            continue
        n = 1 if line.startswith("\t") else 0
        data[n] += bytes.fromhex(line.strip())
    d = data[node][:4096]
    # Keep only what the parser needs plus a little trailing data.
    if kind == "http":
        i = d.find(b"\r\n\r\n")
        end = len(d) if i < 0 else i + 4
    else:
        i = d.find(b"SSH-"); j = d.find(b"\n", i) + 1
        plen = int.from_bytes(d[j:j+4], "big")
        end = j + 4 + plen
    d = d[:end + 32]
    with open(os.path.join(out, name + ".hex"), "w") as f:
        f.write("# %s tcp.stream %d, %s -> %s; first %d bytes of the in-order stream\n" % (pcap, stream, nodes[node], nodes[1-node], len(d)))
        f.write("# made by: tshark -q -z follow,tcp,raw,%d (see README)\n" % stream)
        h = d.hex()
        for k in range(0, len(h), 64):
            f.write(h[k:k+64] + "\n")
    print(name, len(d), "end", end)
