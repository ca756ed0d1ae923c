package service

// samples is every payload sample the detector tests run on: first the
// protocols the catalogue detects, each with the verdict its own detector
// must give, then other protocols' first bytes, which every detector must
// reject. Each names its source: a capture in testdata/captures and the
// frames the bytes came from (payload bytes only, as tshark shows them;
// for tunnelled traffic the inner payload), or, for forms none of the
// captures holds, "constructed" from the protocol's specification and
// checked with tshark's dissector. A flow's TCP bytes are the in-order
// prefix of its stream, so a sample may join several frames or keep only
// the first bytes of a long one.
var samples = []sample{
	// Protocols the catalogue detects.
	{
		// ndpi__443-curl.pcap: ClientHello (TLS 1.2, SNI www.ntop.org) and the start of the ServerHello segment;
		// client frame 4 (517 bytes), server frame 6 (256 bytes).
		name: "tls12-curl",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			1603010200010001fc03033e3841edcc20f6d0e5f7167ab7ee91a800c8ef70c2d624c7c7943a24026d9fbc000086cc14
			cc13cc15c030c02cc028c024c014c00a00a3009f006b006a00390038ff8500c400c3008800870081c032c02ec02ac026
			c00fc005009d003d003500c00084c02fc02bc027c023c013c00900a2009e006700400033003200be00bd00450044c031
			c02dc029c025c00ec004009c003c002f00ba0041c012c00800160013c00dc003000a00ff0100014d00000011000f0000
			0c7777772e6e746f702e6f7267000b000403000102000a003a0038000e000d0019001c000b000c001b00180009000a00
			1a00160017000800060007001400150004000500120013000100020003000f00100011000d00260024060106020603ef
			ef050105020503040104020403eeeeeded030103020303020102020203337400000010000e000c02683208687474702f
			312e31001500ae0000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			00000000000000000000000000000000000000000000000000000000000000000000000000`),
			Server: unhex(`
			16030300660200006203038f72dd2e35dcf5ddf38ae75db855d1610b4db32937cb20cd3187eec12057fb2520ea8fcd1d
			a8f8635bd5df2a45b603764dd7cfb5f82666ff77fd47635bf9a8f0cbc02f00001aff0100010000000000000b00040300
			010200100005000302683216030309f80b0009f40009f10005553082055130820439a003020102021203c56f6636eda7
			2f7f4c5665fa055d933255300d06092a864886f70d01010b0500304a310b300906035504061302555331163014060355
			040a130d4c6574277320456e6372797074312330210603550403131a4c6574277320456e637279707420417574686f72
			697479205833301e170d313931323137`)},
		want: expect{"tls", High, FromClient},
		ev:   "\x16\x03\x01\x02\x00\x01",
	},
	{
		// ndpi__google_chat.pcapng: ClientHello (SNI chat.google.com) and the start of the ServerHello segment;
		// client frame 4 (663 bytes), server frame 6 (256 bytes).
		name: "tls13-google-chat",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			16030102920100028e03038fc7788d37528336fe7da39d244a6e799933a1e470e416942bf2962c28af7f0920e9b028b5
			ec3ec1f7f57215b2d6208e07a0d37458c8acc256817309355d0c8b940022130113031302c02bc02fcca9cca8c02cc030
			c00ac009c013c014009c009d002f00350100022300000014001200000f636861742e676f6f676c652e636f6d00170000
			ff01000100000a000e000c001d00170018001901000101000b00020100002300000010000e000c02683208687474702f
			312e310005000501000000000022000a000804030503060302030033006b0069001d00204559feed48c8ae103cd06000
			f16087c4a1883cf915b8db2b95a8e389debceb19001700410424fe8b879f968931a0efc22c2bc79c5508e49d0134c7e6
			d3b0af47c4bd01ba11eb633c8cd23cde604a88f51459e543c04dc46bc42f8fb59c01bd2762fc7ccbb0002b0005040304
			0303000d0018001604030503060308040805080604010501060102030201002d00020101001c00024001fe0d01190000
			010003af002005d96e7b0b0372588d9a9672ee81c7e8e3fa64586edfa740e8affed74106318b00ef0c919bfd5ea8a655
			24b9415cafb27b7047b18c28be36952b9706f5f34c19d338fb8419ffb96bca8f0d965e91fe6508103a0eddebc752eda2
			2ca20987e586122e219f2462487bb5d16ae0bdd48148b0e2a4531cdbedda5044b468598c4e8f5244affddbb725cc7d76
			f70888cb19e83ca719d68d2e9a2b9d05578d1a95392ed9c249129cb3cf466076aebfcb3ab2464e63bc04638f3fa11f91
			dda3dc4239e6efb51f4f25f2df0d197f87508e0315b6d389e926360556ef5ba41471efa75a122790b500e93693a534bc
			730abbbdc40fdaabde95fc0a6d59513a50bbb96c0fff1f46dc475d33b589b40109f35356387086`),
			Server: unhex(`
			160303007a02000076030332c143d7ea6d78c35588670d969b21ca4e212e4058061de5270d22ce423a548120e9b028b5
			ec3ec1f7f57215b2d6208e07a0d37458c8acc256817309355d0c8b94130100002e00330024001d002096838f9bbc6e3c
			e28812b145233b59c66c9347ae4e972bff7a8f9dd477294528002b000203041403030001011703031a1f31c2ff73ec78
			548d18e37b3171c7371aaa6d8ea047f135d97cec318e882719500906aaf9ace2327bd6b7a3fc4278314e3ade7f070f6c
			0c02b33203669148fa84571b8b7bffc7f0d3f38a606afb067a129a3fd93658b1ef0fbbe16d036862d71e25ac3826cc12
			47215a04bae1c2edde3fa1feb5c2c542`)},
		want: expect{"tls", High, FromClient},
		ev:   "\x16\x03\x01\x02\x92\x01",
	},
	{
		// ndpi__ssh.pcap: OpenSSH 5.3 server and 5.6 client identification strings;
		// client frame 6 (21 bytes), server frame 4 (21 bytes).
		name: "ssh-openssh",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			5353482d322e302d4f70656e5353485f352e360d0a`),
			Server: unhex(`
			5353482d322e302d4f70656e5353485f352e330d0a`)},
		want: expect{"ssh", High, FromServer},
		ev:   "SSH-2.0-OpenSSH_5.3",
	},
	{
		// ndpi__http.pcapng: GET / to google.com and the start of the 301 response;
		// client frame 4 (74 bytes), server frame 6 (256 bytes).
		name: "http-get",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			474554202f20485454502f312e310d0a486f73743a20676f6f676c652e636f6d0d0a557365722d4167656e743a206375
			726c2f372e36382e300d0a4163636570743a202a2f2a0d0a0d0a`),
			Server: unhex(`
			485454502f312e3120333031204d6f766564205065726d616e656e746c790d0a4c6f636174696f6e3a20687474703a2f
			2f7777772e676f6f676c652e636f6d2f0d0a436f6e74656e742d547970653a20746578742f68746d6c3b206368617273
			65743d5554462d380d0a446174653a205475652c203235204a616e20323032322031363a35303a343120474d540d0a45
			7870697265733a205468752c2032342046656220323032322031363a35303a343120474d540d0a43616368652d436f6e
			74726f6c3a207075626c69632c206d61782d6167653d323539323030300d0a5365727665723a206777730d0a436f6e74
			656e742d4c656e6774683a203231390d`)},
		want: expect{"http", High, FromClient},
		ev:   "GET / HTTP/1.1",
	},
	{
		// ndpi__smtp.pcap: Sendmail ESMTP banner and EHLO;
		// client frame 6 (22 bytes), server frame 4 (84 bytes).
		name: "smtp-sendmail",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			45484c4f2064656c74612e70656163682e6d696c0d0a`),
			Server: unhex(`
			32323020706967656f6e2e65797269652e61662e6d696c2045534d54502053656e646d61696c20382e382e372f382e38
			2e373b205361742c20372041756720313939392030383a32303a3131202d303430300d0a`)},
		want: expect{"smtp", High, FromServer},
		ev:   "220 pigeon.eyrie.af.mil ESMTP Sendmail 8.8.7/8.8.7; Sat, 7 Aug 1",
	},
	{
		// ndpi__imap.pcap: IMAP4rev1 greeting and a tagged CAPABILITY;
		// client frame 6 (19 bytes), server frame 4 (42 bytes).
		name: "imap-greeting",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			433030303030204341504142494c4954590d0a`),
			Server: unhex(`
			2a204f4b20494d41503452657631205365727665722056657273696f6e20342e392e30342e3031320d0a`)},
		want: expect{"imap", High, FromServer},
		ev:   "* OK IMAP4Rev1 Server Version 4.9.04.012",
	},
	{
		// ndpi__pop3.pcap: +OK POP server greeting and a lower-case user command;
		// client frame 6 (32 bytes), server frame 4 (35 bytes).
		name: "pop3-greeting",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			757365722063696363696f7065726e61636368696f406d61696c2e636f6d0d0a`),
			Server: unhex(`
			2b4f4b20504f50207365727665722072656164792048206d69676d7875733030350d0a`)},
		want: expect{"pop3", High, FromServer},
		ev:   "+OK POP server ready H migmxus005",
	},
	{
		// ndpi__ftp.pcap: vsFTPd banner and USER anonymous;
		// client frame 6 (16 bytes), server frame 4 (20 bytes).
		name: "ftp-vsftpd",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			5553455220616e6f6e796d6f75730d0a`),
			Server: unhex(`
			323230202876734654506420332e302e33290d0a`)},
		want: expect{"ftp", High, FromServer},
		ev:   "220 (vsFTPd 3.0.3)",
	},
	{
		// ndpi__rdp.pcap: X.224 Connection Request with an RDP negotiation request, and the Connection Confirm;
		// client frame 4 (19 bytes), server frame 5 (19 bytes).
		name: "rdp-negreq",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			030000130ee00000000000010008000b000000`),
			Server: unhex(`
			030000130ed00000123400021f080008000000`)},
		want: expect{"rdp", High, FromClient},
		ev:   "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x0b\x00\x00\x00",
	},
	{
		// ndpi__smb_deletefile.pcap: SMB2 requests over direct TCP, first 256 bytes of the reply;
		// client frame 1 (380 bytes), server frame 2 (256 bytes).
		name: "smb2-negotiate",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			00000178fe534d4240000100000000000500000100000000980000009c0f000000000000fffe0000110000001d000000
			002800000000000000000000000000000000000039000000020000000000000000000000000000000000000081001000
			1000000007000000010000000100000078001c0000000000000000004c007500630061005c0044006f0077006e006c00
			6f0061006400730000000000fe534d4240000100000000000e00000104000000880000009d0f000000000000fffe0000
			110000001d00000000280000000000000000000000000000000000002100250300000000ffffffffffffffffffffffff
			ffffffff600026000000010069006e006e006f00730065007400750070002d0035002e0036002e0031002e0065007800
			65000000fe534d4240000100000000000600000104000000000000009e0f000000000000fffe0000110000001d000000
			00280000000000000000000000000000000000001800000000000000ffffffffffffffffffffffffffffffff`),
			Server: unhex(`
			000001f0fe534d4240000100000000000500000001000000980000009c0f000000000000fffe0000110000001d000000
			00280000000000000000000000000000000000005900000001000000f25a77eb348ad401782f0f729cfbd5018cd0ed71
			9cfbd5018cd0ed719cfbd501002000000000000000200000000000001100000000000000120400000a00000065000000
			0a0000000000000000000000fe534d4240000100000000000e00000005000000d80000009d0f000000000000fffe0000
			110000001d0000000028000000000000000000000000000000000000090048008e000000000000000000000033c25339
			2d98d4013376b64c9bfbd501aab6503c`)},
		want: expect{"smb", High, FromClient},
		ev:   "\x00\x00\x01\x78\xfeSMB",
	},
	{
		// tcpdump__dns_tcp.pcap: length-prefixed A query for www.tcpdump.org with EDNS cookie, and the response;
		// client frame 4 (58 bytes), server frame 6 (226 bytes).
		name: "dns-tcp",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			0038431901200001000000000001037777770774637064756d70036f72670000010001000029100000000000000c000a
			00088f06be7d691442f0`),
			Server: unhex(`
			00e0431985000001000200020005037777770774637064756d70036f72670000010001c00c000100010000003c0004c0
			8b2e42c00c000100010000003c0004c6c75868c01000020001000151800012036e69630973616e64656c6d616e026361
			00c0100002000100015180001203736e7308636f6f7065726978036e657400c04d000100010000012c0004d157f912c0
			4d001c00010000012c00102607f0b0000f000000000000babef00dc06b0001000100001c200004616b850fc06b001c00
			0100001c20001026003c0300000000f03c91fffe96e8ef0000291000000000000000`)},
		want: expect{"dns", High, FromClient},
		ev:   "www.tcpdump.org",
	},
	{
		// ndpi__dns.pcap: AAAA query and response for www.example.com;
		// client frame 2 (33 bytes), server frame 3 (33 bytes).
		name: "dns-udp-aaaa",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			bc1f0100000100000000000003777777076578616d706c6503636f6d00001c0001`),
			Server: unhex(`
			bc1f8180000100000000000003777777076578616d706c6503636f6d00001c0001`)},
		want: expect{"dns", High, FromClient},
		ev:   "www.example.com",
	},
	{
		// ndpi__dns_fragmented.pcap: DS query with CD bit and EDNS, first 256 bytes of the 1702-byte response;
		// client frame 1 (40 bytes), server frame 3 (256 bytes).
		name: "dns-udp-edns-cd",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			d43f001000010000000000010877656265726c616202646500003000010000291000000080000000`),
			Server: unhex(`
			d43f841000010004000000010877656265726c61620264650000300001c00c003000010000003c02080101030a030100
			01ddeffded22ad760a3b0b58101dd53deef3f7daaf8b995ef7fcb55d7ca9969e72ff9c5aaab9bfade946f29831f06b0d
			5b6220be224a009e94894e391112a81fe7f3daa7f6494147156c24c1e896c8b6781191e1a30be2084c7de0fe0eb3034a
			5e67581dedfcae51cf6bedceca95bd8187d1f6584228ade77823eaf3f68516c4d323b750f90da41115a208c0b26e5e16
			3b0b01a3f4659cf338cae7cc28894006233935640f36623a8d8cc0629628c9485df479e72080e5350f3d1e95d07459b2
			b0cada5d86fba833a838488ea1db6d28`)},
		want: expect{"dns", High, FromClient},
		ev:   "weberlab.de",
	},
	{
		// zeek__gre-sample.pcap: ANY query for www.gleeble.org carried in GRE;
		// client frame 33 (33 bytes).
		name: "dns-udp-any",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			bdaa010000010000000000000377777707676c6565626c65036f72670000ff0001`),
			Server: unhex("")},
		want: expect{"dns", High, FromClient},
		ev:   "www.gleeble.org",
	},
	{
		// ndpi__quic_frags_different_dcid.pcapng: v1 client Initial (1250 bytes), first 256 bytes of the server Initial;
		// client frame 1 (1250 bytes), server frame 2 (256 bytes).
		name: "quic-v1",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			c20000000108ac49898ddc4590e8000044d0e9cb3a09cab5a4d10430d26e3416fd96eefd7418f504757bfc769bf65a38
			ee9e50121a803a41326c05a59cefd45236f8354f8f919897d6946ccd7743eac055526782521d82a4c03861e138409bb0
			7048c38ec73de90f0b6a0d94af676042eb7d797fa9bd55a17a6d34330ccff899eeadb90e62b8efd1b5c6f1402307d59d
			0c97eeb59d771299358323b2214a1a730fe3288ecedf7424aee6723bd5b51900824e52fd17747be150a6ef5922f96395
			0f830e53ca6fd0bc8d195ab2128f1e8e14c19860a8170b36d3464bea491f59883aeb3fac88054d9aa6fabca3f91351c4
			259db3e42358145a93fb45955e8615c670f7e19cb3cac1490581b2a1093aa2310964af730dd3e581423c319174a84fd2
			870ae024ebc01b6a616c79797fa2ec92e6ede49e09f5ce1090ccde7b625df31f47ac25b7d77ab9cf4186b0284bfbc1e3
			328c5c2168a0af3e182b91b0cb241a1b5be4c21d45e2013cf8879a0a4c24392a50bef6896ca79c37f10d9a0394006531
			972436e7a44d55a59effcf9876adba10657b31faeb0dd5a46581ccf4f4227185bd8bf0c0bd74d711f147c139a302e531
			1cfbcf4f773329839bf979429dedaac60a40506d7f6cb495f5cc9ad3d41fbf01e7f0820eca7235d3d26a0a1bc67e5ae6
			79505c80a9b8f6c167dc109f9ad70e1083430b038c6d27488ba8033181c0d9ef50b0e183a8c358e0eaeda0a6aa634cd8
			f0124f6308a26e6dbe39ac582df4a5e726399d5dc30d5fbf3a669465a78e2d3c64aa0ccd6dc186cbe10a314c2e04c1a2
			666d6cf8832a29b7707f8ec1fb4b90dcbf71af34f235dfd4062983c32cf3082e435535a94a4a1a18f75850be542cf0cc
			64541d837832374240796404e6c0ada7224fc4cea7e5c9fa7926105eecf944b1e74121088c660fadf18272d027f76ecd
			c6706e521ab4cedf861716361eed56099c917ea76d7da09b8db62d55e23fa804c3144f64d55bdcdb3eed318d8de6ee04
			3fb70895ecc41ddda820ea63a219c3abbc7c8d149a06b8d368e19d1fec4843ef428e8ad74e35c30ebb4bb430e80de218
			9f2c1a9a6f9b6de56c511c99691fc310c26993232cd260d7c040d31af036a954cc638fd33deaf0910181980ea4188b1a
			55d8d2d4b4592dc7a1533fe26d6b74eaf8800a56154e6e37dfc136f3e143d1d780dfba8dd2e5bc5d0211f0d889cc42b3
			58ddc5a04c640a45a21eab20e257ef25ab12f1f2b2d2bd08bdd22d01d2ac7e7d1630b0670a6913ff08aa25056097c496
			62236ac7c47d32981c56206e358fc74840c0ef4b46c3cf40939cfc85f7787ca4b4628271a4ab4d9eff1a736980e6bd87
			6ec90e63075eda75db650754494b326f7d1d6586967456df0f52e1bb9b654611e3a1b37dd34f141ac47ce6609527cdc6
			8b5af5d6f26051812f190cd2132f40e754954a1c43109e75ad3b636fdf95f702824202c9f6e62c920e8670018da3137c
			7260b2d327ec6c68ac0fcf885151a531d21fd81d428bf163a6ee88f5871478f68ce80969c85c683520f088b9db1dea3a
			9a5f8c9f675ca044b99d891cc5cacfc19dec17f1bbce3e00db153d7a7eeded57c9ca4ab31db01daa1f1d44993e3976e8
			5fb88c6b133c0b67e76e20d4d3f4bb8c6cca06575fe704c05945cad3153821e9e2cc23b5b150deadb4536a641bd29a4b
			4faabbd7682f9005fd6d12bc2240c0923dd66caa1e836405eed217bc9a0f08a3fe7c2d582bc8b25632cc4635692bd675
			7555`),
			Server: unhex(`
			c70000000100140164bccb0bceb2de8f64afc9a9cea6a36437ab44004016e696f72254fd6f27064989382e33beb5836f
			47618b310000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			00000000000000000000000000000000`)},
		want: expect{"quic", High, FromClient},
		ev:   "\xc2\x00\x00\x00\x01",
	},
	{
		// ndpi__quic-v2.pcapng: v2 (0x6b3343cf) client Initial, first 256 bytes of the server Initial;
		// client frame 1 (1232 bytes), server frame 2 (256 bytes).
		name: "quic-v2",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			d66b3343cf080726272642fc2eb20811fffdea452422b832a196c2fa15ec4a99b399b9116eb2c5ef233065423a33ac16
			db1be7c47541e1dbc9337bc0326b173b40bfcb11d25b647d0e8141c89fd5d4fe0ae06a3a4962392c9e91c2e1b3920ae3
			f12a7128aed5573623691908c9962a936cabe187e5acf4e4047e6fe88834c87e48cab6336dcf659934dffc133e0b4672
			e74e81a0d801d41fd6abdb6e04c27d9c831771e2c8fe0e025fe22818a653f609bbf7f500392b83579bdb2ef50507795f
			7bf7a63c939e9c6b8292d9fafbfd0daff19350ccb31c473981ddcff35e2d44465427a3ce8f5f91da78c35e9479bf6d37
			2b5ac20129844c77052541040d4f2f1567dddd86ebe0b18efcde66d1098ee7a330ec771df5edc99baaa853ef72b0a49b
			685d976f83600e5bbed12fb1c123e189b90a7585bf3e3bc42ef017d060cb4638a4e693cc9e04916be5ea6bf5f0b46aaa
			166619dc465a0ddb25b89226216b70dc49014284ee512ca3ba354cdd26fdc3a36e5e41693069e7fa89fb45d8c687802c
			8362440d78ab2c727e7827af5663be939dd4888ace2214195d0e8861f7dfbcc0c3c886c03ee2424d960192010158c016
			737b5a6edaf09f13f65d830e476c41a07c7e6badfc1ff2e2a70b0f1ad551ef429e0ef6b0d85b0834c08ffdef70af1745
			ad61b83381339680ae39b9c92e5cdb8475f5efd7b76b3f7877126431960b60a5a61b3a12ee1e5f1eea7958b16d0c4859
			9bf4f6bee36b3343cf080726272642fc2eb20811fffdea452422b842a36e46d441f8c3f756c608d417943fb77a8fdc13
			b99403e5bb94d6a809d67cdfbffe00d687862536d8dcbb9a0d94a3aa080c8fe40379d52d3f982a521af9900d8034fb0a
			e504b28073dc59a189c126ab9fe636588d1034f9dc00ebb01e8729d663404e00f0e38e902af72e2b92387dcab96bea2b
			445b8f3f6c2bafb3fc01aa152bf874c8d4b3b46bfbf5b6167a139ca4cda71a917762b3013a7b6e7bcb9fe6fc13b32136
			36dd97389174e56d63302a1fde2f20938e20c7bc6bdfe8890528b53c72f1f346d5a8d964a46f2f49ea554eb3754a8788
			caeed7fc6e49acd25302f3f8e53b1173264a443e665bc09d3a73f183ed3deb90974a6c993cd0aa6fae24e23fef2e4934
			16d858f981dda4632e306b7544ec9fb65c144baeb456c895baf6e310f611537be8e07e4ebddec383c455fe882539b08f
			a0073a7e66cc5ee81f836dfec3ef43d77dc30b260ebe17f1c13eb609897cba3648ebe0a7dae509fddfddf290e69d7a25
			ac5db1920dd5806c6165fe4905fccdd96355636883c977d68d987672c1d96c6efae19bfa7494f89b66d61e0980847448
			463834485b07515833ed34ae181adfb4ec769836a626d4efa240c6f1f010a1f142c9f948edde0a0840b66c9e248698f4
			56397ed4dc6c3e3ec5bac71812ad41e36531e8ba62faf269cbbce55ae5e3201d443f3504ea9727787ad20ff0b8e73eda
			0d7c522fd467beec602f7a536da1c248262305d26efe21f17ddb9b5409fe19145aa3df1629d5a381c83035284fc94941
			0a7c1d66e727cd2e96b0c2664754dfa7c7c465be6555e462bf83b9404a4f266b0df00373f8de23b90c28c92a9c33e7a6
			5aa6258cb1d5b26ec1f74c05430d67c0122e19c0f5b066e16727145c0047e77b8113d41e73456795f5c6db66d4caaab7
			d25c18a72a163d75b9ec4569146cb20de5ac44b365b03452be4c05734b28603c`),
			Server: unhex(`
			946b3343cf0811fffdea452422b808b844d6f71875fd1d00409eb9bdf0892df75198808c55d29eb933fb1cf6d0a41dab
			062e5f2861689331c225cfbc90dee84fcfe1971c163dd48631d1ea97856ffc0178d76c85e08c400b9253a37bcdab24fe
			77f19d5bd017eba0139f8dfbf0f8b4d3b7232b0a2475e439226c14cd951eb63d08f8e391876baed83ba499dc59787677
			524288b63c8fff2ea472ff44aaae8222601a91155ba94fa29dfc4eaaa0c7396cab99d631da7177b3b76b3343cf0811ff
			fdea452422b808b844d6f71875fd1d43ff1ec5f7fa24efb88a1cc0df6160acb5fc6a81ead21f4537c77155b757081177
			ab652cd18c116c81cee68d19a0930730`)},
		want: expect{"quic", High, FromClient},
		ev:   "\xd6\x6b\x33\x43\xcf",
	},
	{
		// ndpi__quic-34.pcap: draft-34 client Initial; the server Initial greases the fixed bit;
		// client frame 1 (1252 bytes), server frame 2 (256 bytes).
		name: "quic-draft34",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			c6ff00002208a128fde632355cb7088d4cb7400728be490044caad3d483bb974522b890c5d7e7712ce689cbcf1b517a6
			546cae304c5a15b32eb7abc3baa07653f0e9cce7d496ad05bd1b7dad42698d6eb20ed509ffbd33b73f820d8215f15a4a
			8502d0b587cf0f79a690a9f617192bad03b829a7dacd5b9c6f872f57b4f8374bb8dc09c970cb5ce1dfc65e731a69ce15
			7c095f1dee32d750e08343bed1a2a28f3116a0f5f1c91478b79d5a0bb3646efff427976058a0c1424f70dfb772b5be73
			c236df407a51565b8d073647b392380cc67f267341f8fad4caec81997ae9d204765e7c158f34377e534f16071082edbf
			253545d0bd770a4c6dffe41995cf41df0068cac12ab8ca4596e542c65869b0936814aee33e0debd9cfaec51406d29f29
			719a67bd392c58bf9ff16a854f97282cf3dd665670067d3644a7c64c0fae019d0b684d0ed646b7e1612982aa6855cf1f
			6b269369dae32f23bf2654be76afca75ddf2f4a3dedfc8e37b1722acead6d7eaa53f3870231f29892a6b84e0b2110636
			f9f963ad0342a54a0f2afcdd6ac8fef18fef80e8b86803574c0b2977e34f642b21970429181610742ec21196dfe50970
			527c9217279c9cf22ca247dccbb109089c465455c04e8a77f5fe5a82aa83809041c5b57b572d3a14ad6a931ff4bbcba1
			19f563a952912a6a6bc22f57d64492aa15edd861fc6d9c6388cd35a02e01415efc375f7d460f6d609ba946ff25eb2be1
			0d2f6b72dd3ccd658d571af9f2579b41468a35869d411999685b519a7374b318e4bdcc70794c5b668a0bec4e06188a88
			9634786612e5ce52b713b07ae8e246b50002ed5c91e3a19a7e7c214f1a771eb3b22f2a19a74470ef171622dcfd4efea5
			4f60680386340d2358f68953a7e0cfcab327506d2fa91c7346127cdfbe2383a3152993046bff3b318da2ae103c90af21
			6680b7335f454da3a79de96db9602132b7fe43cb7c040943ee45241faa07c7dbe462711988af7efec7f1e90abcb5a18c
			1bf99c58359a6046f7357019aa67f8d451ed794fcec1d9a5652aa8a834b90e5561076c2aeed2f098b2b1a314e4863557
			6ae9d353f91f7330439b5030925c45c371f0e49e65f8b1ebc0ea2570fae817aa8b0c191b0cebcea6dc84d65977bc1d2d
			e121f4e96af7eac1f3473d6e090476d40f521d9bcac892bf482835b80a6c2ea766259d5fffed6277ccd31308ead6a9ac
			1c40f7f254380ab95b59fa0bbce4777f7b3fcff4248adbdf1ad1e1559b748f459ea5a90a7b4eff3461d7d55d1d334993
			82a64a261d88a3792f16f72d028eac5236c03571744bcc3194eba365b1735b52ce922d425c361674f96af9226dc9e071
			5040cdcc567bd55adb9f0b2724d3a91efbccccfa9d455fa77552d97e9c905d212c15ceb9415a1034ebb43067ab22465a
			ef02ded32e265f4a6723c2ff47fcb52536b0aa225e794c7caf5978e24bbf837644dae495109c6eb93758f134875d1331
			afb9ea66e396a6f4886947064b74354d99ec88e4c561cbc15b311b43bd8e992456509cc2080041ce2763883a465b33e4
			85ef3f44eca395cff94d1420ebbad70b67c08f9dee5d0456c376ba8eccd3e31a1d66c24aa28288a2ce46dc2a58cf3412
			242aed39e3abe7f71ee1cfaadc7c76af32a1760bf959185502bd94576dd335425dd0e92655ea19cecf6ff850dbd0fb4f
			3d8543287be326a1c0ccecb5754ca34db75cf948d143f5e1def10c3e1b279c573ed3e967e9bda19ed64bd33f5e17cc8c
			24ae0a37`),
			Server: unhex(`
			89ff000022088d4cb7400728be490891bcb1bb66266f3700409c2e1727a710d52a27e240514774a733cce987cb5c96eb
			e0bb3a59a0509e9784558b1c2d89aa493f3a3592191386d486e315ee755579ea987bc1aebb0b5ab4f0061935baabba79
			1a5cda320c03a5b8bc05d35d2ed5b5dc7a9db7d5a78e9a950654cf5c68c928534f6142f5a79c2dbec0d94384e50b79e9
			a8a5e1112d6c4ba274f78943299b5753ebfb4fc78215236e23b4dde271e3186a8da942a0252bacff000022088d4cb740
			0728be490891bcb1bb66266f37441548f8e8c4763a058d554a0cb97ad7b02285bed754c7484a5b8a753216c1645ec180
			482f29ba762151c24a08e0b8ac123368`)},
		want: expect{"quic", High, FromClient},
	},
	{
		// tcpdump__quic_handshake_truncated.pcap: client Initial cut by a 256-byte snaplen, full server Initial;
		// client frame 1 (204 bytes), server frame 2 (134 bytes).
		name: "quic-snaplen",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			c40000000108f71ae16671baa8b70000449e145a8086ee4329e731129452161222028cc4c3168dfbc7532b232f7c1105
			528474448773a0184879027f4055cd21c1da491812e44ffeedf77c7b60c79a283827152720e9ca42c2deae68c76a6c87
			2c6a16255a7a720a8ceaabc4096abd7da4e2e32604cec414e3710c76f223f7fad95af1728a1be8f6023329a9fb790078
			4ffe7a9570233f3b4d32767d351428f4501bbef1f1a5595590e38684aed96afc83ca2edd58876cf98cb657c24f3861cf
			736ae0aa3e12fc2ccd7d29f3`),
			Server: unhex(`
			c2000000010008beb256567ee5698c004074dcd8079ddee39c83be4b5f54f30a6174a21ed90f68d9032bbdb224ff2c88
			80d5eab3c38c74585f91a639fffeb0644af24aba0192143f46e0c51c4f716a16f414ed628f553786fb133bebcddecd19
			65b23d767d06fa15802e87af0091f713dc9587a6883d4e20758fa05153ba6b022c4c815674bb`)},
		want: expect{"quic", Medium, FromClient},
	},
	{
		// HTTP/2 with prior knowledge: the preface, then a SETTINGS frame
		// (ENABLE_PUSH 0, MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE
		// 65535); the server's SETTINGS frame.
		name: "http2-preface",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
				unhex("000012040000000000 000200000000 000300000064 00040000ffff")...),
			Server: unhex("000006040000000000 000300000080")},
		want: expect{"http2", High, FromClient},
		ev:   "PRI * HTTP/2.0",
	},
	{
		// SSLv2-format ClientHello offering TLS 1.0: 9 cipher specs, no
		// session id, a 16-byte challenge; 52 bytes after the header.
		name: "sslv2-client-hello",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`8034 01 0301 001b 0000 0010
				000004 010080 030080 0700c0 060040 020080 000035 00002f 0000ff
				8f2a6b1d3e4c5a69780f1e2d3c4b5a69`)},
		want: expect{"tls", Medium, FromClient},
		ev:   "\x80\x34\x01\x03\x01",
	},
	{
		// ndpi-corpus/signal.pcap, tcp 192.168.2.17:57016 <-> 23.57.24.16:443, joined late (no SYN, no
		// handshake): application-data records; server frame 357 (24 bytes), client frames 363 and 365
		// (39 and 24 bytes).
		name: "tls-midstream-signal", detector: "tls-midstream",
		in: Input{Transport: TCP, MidStream: true,
			Client: unhex(`
			17030300220a82cedbf77074e82bfcb809a60d90b6b2a2f59a36af1b4e01ea032fcb89f63a7d43
			170303001301a18b5c1e52ccaf9fc41d93512019e7fdf6fb`),
			Server: unhex(`17030300134de77592f8743e39d2243466c61c8fbe3da4ec`)},
		want: expect{"tls", Medium, FromClient},
		ev:   "\x17\x03\x03\x00\x22",
	},
	{
		// ndpi-corpus/tls_alert.pcap, tcp 192.168.2.100:37780 -> 160.44.202.202:443, joined late: one
		// encrypted alert record filling the client's segment; frame 12 (31 bytes), no server payload.
		name: "tls-midstream-alert", detector: "tls-midstream",
		in: Input{Transport: TCP, MidStream: true, ClientFirst: true,
			Client: unhex(`150303001a0000000000000002f7a86364654f35eb799400eee0965a599bf5`)},
		want: expect{"tls", Medium, FromClient},
		ev:   "\x15\x03\x03\x00\x1a",
	},
	{
		// ndpi-corpus/zattoo.pcap, tcp 2936 <-> 80 (tcp.stream 1), joined as if inside a message: the
		// last 80 bytes of client frame 15 and frame 17 (491 bytes), the last 60 bytes of server frame
		// 16 and frame 18 (260 bytes); the second request and response lines start mid-buffer.
		name: "http-midstream-zattoo", detector: "http-midstream",
		in: Input{Transport: TCP, MidStream: true, ClientFirst: true,
			Client: unhex(`
			6c6174650d0a4163636570742d436861727365743a2049534f2d383835392d312c7574662d383b713d302e372c2a3b71
			3d302e370d0a436f6e6e656374696f6e3a206b6565702d616c6976650d0a0d0a474554202f7a6174746f6f5f34385f31
			5f31303030407336313639343f7072696d617279546f6b656e3d313331333838333333355f6663326537636162376435
			38316138313738393036653932396661373636376526763d322e322e32372666703d4d414325323031302c312c313032
			2c363426723d5044464d5126673d4c4d4b4b435142504845514920485454502f312e310d0a486f73743a207a6174746f
			7365637572656864322d662e616b616d616968642e6e65740d0a557365722d4167656e743a204d6f7a696c6c612f352e
			3020284d6163696e746f73683b20496e74656c204d6163204f5320582031302e363b2072763a362e3029204765636b6f
			2f32303130303130312046697265666f782f362e300d0a4163636570743a20746578742f68746d6c2c6170706c696361
			74696f6e2f7868746d6c2b786d6c2c6170706c69636174696f6e2f786d6c3b713d302e392c2a2f2a3b713d302e380d0a
			4163636570742d4c616e67756167653a20656e2d75732c656e3b713d302e350d0a4163636570742d456e636f64696e67
			3a20677a69702c206465666c6174650d0a4163636570742d436861727365743a2049534f2d383835392d312c7574662d
			383b713d302e372c2a3b713d302e370d0a436f6e6e656374696f6e3a206b6565702d616c6976650d0a0d0a`),
			Server: unhex(`
			2d686561646572732d66726f6d20646f6d61696e3d222a2220686561646572733d222a222f3e3c2f63726f73732d646f
			6d61696e2d706f6c6963793e485454502f312e3020323030204f4b0d0a5365727665723a20416b616d616947486f7374
			0d0a4d696d652d56657273696f6e3a20312e300d0a436f6e74656e742d547970653a20766964656f2f782d666c760d0a
			436f6e74656e742d4c656e6774683a20300d0a457870697265733a205361742c2032302041756720323031312032333a
			33353a303220474d540d0a43616368652d436f6e74726f6c3a206d61782d6167653d302c206e6f2d63616368650d0a50
			7261676d613a206e6f2d63616368650d0a446174653a205361742c2032302041756720323031312032333a33353a3032
			20474d540d0a436f6e6e656374696f6e3a206b6565702d616c6976650d0a0d0a`)},
		want: expect{"http", Medium, FromClient},
		ev:   "GET /zattoo_48_1_1000@s61694?primaryToken=1313883335_fc2e7cab7d5",
	},
	{
		// A client tries a greased version (0x1a2a3a4a); the server's
		// Version Negotiation swaps its connection IDs and offers v1, v2
		// and draft-29.
		name: "quic-version-negotiation",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`c0 1a2a3a4a 08 1122334455667788 04 55667788
				0000000000000000000000000000000000000000000000000000000000000000`),
			Server: unhex(`ca 00000000 04 55667788 08 1122334455667788 00000001 6b3343cf ff00001d`)},
		want: expect{"quic", Medium, FromServer},
	},
	{
		// X.224 Connection Request with an mstshash cookie and a
		// negotiation request for TLS and CredSSP.
		name: "rdp-cookie",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: append(unhex("0300002b 26 e0 0000 0000 00"),
				"Cookie: mstshash=admin\r\n\x01\x00\x08\x00\x03\x00\x00\x00"...)},
		want: expect{"rdp", High, FromClient},
		ev:   "Cookie: mstshash=admin",
	},
	{
		// SMB1 Negotiate Protocol request offering only "NT LM 0.12".
		name: "smb1-negotiate",
		in:   Input{Transport: TCP, ClientFirst: true, Client: smb1Negotiate()},
		want: expect{"smb", High, FromClient},
	},
	{
		// NetBIOS session request (port 139) that precedes SMB there.
		name: "netbios-session-request",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`81000044 20 4345454646454545434143414341434143414341434143414341434143414141 00
				20 4545454645434546434143414341434143414341434143414341434143414341 00`)},
		want: expect{"smb", Medium, FromClient},
	},
	{
		// A 220 banner naming neither SMTP nor FTP: the EHLO decides.
		name: "smtp-anonymous-banner",
		in: Input{Transport: TCP,
			Client: []byte("EHLO client.example.org\r\n"),
			Server: []byte("220 mail.example.net ready\r\n")},
		want: expect{"smtp", High, FromClient},
		ev:   "EHLO client.example.org",
	},
	{
		// The same kind of banner (multi-line) answered with USER: FTP,
		// as POP3 greets with +OK and SMTP clients start with EHLO/HELO.
		name: "ftp-anonymous-banner",
		in: Input{Transport: TCP,
			Client: []byte("USER alice\r\n"),
			Server: []byte("220-Welcome\r\n220 Service ready\r\n")},
		want: expect{"ftp", Medium, FromClient},
		ev:   "USER alice",
	},
	{
		// POP3 greeting with an APOP timestamp (RFC 1939 §7), then APOP.
		name: "pop3-apop",
		in: Input{Transport: TCP,
			Client: []byte("APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n"),
			Server: []byte("+OK mail.example.org ready <4711.1700000000@mail.example.org>\r\n")},
		want: expect{"pop3", High, FromServer},
	},
	{
		// Only the client's first IMAP command was captured.
		name: "imap-login-only",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: []byte("a001 LOGIN alice secret\r\n")},
		want: expect{"imap", Medium, FromClient},
	},
	{
		// mDNS PTR question for _ipp._tcp.local asking for a unicast
		// answer (class 0x8001).
		name: "mdns-query",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`0000 0000 0001 0000 0000 0000 045f697070 045f746370 056c6f63616c 00 000c 8001`)},
		want: expect{"dns", High, FromClient},
		ev:   "_ipp._tcp.local",
	},
	{
		// mDNS announcement: a response with no question, one A record
		// with the cache-flush bit, sent by the flow's originator.
		name: "mdns-announcement",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`0000 8400 0000 0001 0000 0000 077072696e746572 056c6f63616c 00
				0001 8001 00000078 0004 c0a80142`)},
		want: expect{"dns", Medium, FromClient},
		ev:   "printer.local",
	},
	{
		// A server that sends a line before its identification (RFC 4253
		// §4.2), old Cisco style version 1.99.
		name: "ssh-preamble",
		in: Input{Transport: TCP,
			Server: []byte("Welcome to the router\r\nSSH-1.99-Cisco-1.25\r\n")},
		want: expect{"ssh", High, FromServer},
		ev:   "SSH-1.99-Cisco-1.25",
	},
	{
		// zeek__ipv6-http-atomic-frag.pcap: an HTTP/0.9 request and its
		// bare HTML answer; client frame 16 (15 bytes), server frame 18
		// (88 bytes).
		name: "http-0.9",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex("474554202f6261642e68746d6c0d0a"),
			Server: unhex(`3c68746d6c3e0a093c686561643e0a09093c7469746c653e426164213c2f7469746c653e0a093c2f686561
				643e0a0a093c626f64793e0a09093c68313e426164213c2f68313e0a093c2f626f64793e0a3c2f68746d6c3e0a`)},
		want: expect{"http", Medium, FromClient},
	},
	{
		// Only the server's status line was captured.
		name: "http-status-only",
		in: Input{Transport: TCP,
			Server: []byte("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")},
		want: expect{"http", High, FromServer},
		ev:   "HTTP/1.0 404 Not Found",
	},
	{
		// ndpi__mysql.pcapng frames 6 (client), 4 (server)
		name: "mysql mariadb greeting",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			d600000184a6ff200000000121000000000000000000000000000000000000001d00000061646d696e0014e38721fbab
			8305d547465b19e40b1ce58bdf1b8f6d7973716c5f6e61746976655f70617373776f72640084035f6f73054c696e7578
			0c5f636c69656e745f6e616d650a6c69626d617269616462045f706964063733373831320f5f636c69656e745f766572
			73696f6e05332e332e34095f706c6174666f726d067838365f36340c70726f6772616d5f6e616d65056d7973716c0c5f
			7365727665725f686f73740e3139322e3136382e38382e323031`),
			Server: unhex(`
			6a0000000a352e352e352d31302e362e31322d4d6172696144422d307562756e7475302e32322e30342e310020000000
			4767503d212b544800fef72d0200ff81150000000000001d0000004976374f652f59526d52313e006d7973716c5f6e61
			746976655f70617373776f726400`)},
		want: expect{"mysql", High, FromServer},
		ev:   "5.5.5-10.6.12-MariaDB-0ubuntu0.22.04.1",
	},
	{
		// ndpi__mysql.pcapng frames 21, 19
		name: "mysql 8 greeting before tls",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			2000000185aeff1900000001ff0000000000000000000000000000000000000000000000`),
			Server: unhex(`
			4a0000000a382e302e3336000c00000031747567785f235600ffffff0200ffdf150000000000000000000070223e346d
			0f367c31226a7c0063616368696e675f736861325f70617373776f726400`)},
		want: expect{"mysql", High, FromServer},
		ev:   "8.0.36",
	},
	{
		// ndpi__pgsql.pcap frames 7, 11
		name: "postgresql startup",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			000000260003000075736572006f727978006461746162617365006d61696c73746f72650000`),
			Server: unhex(`
			520000000c00000005ad44ff54`)},
		want: expect{"postgresql", High, FromClient},
		ev:   "\x00\x00\x00&\x00\x03\x00\x00",
	},
	{
		// ndpi__pgsql.pcap frames 51+55, 53+58
		name: "postgresql sslrequest then startup",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			0000000804d2162f000000500003000075736572007465737400646174616261736500706f737467726573006170706c
			69636174696f6e5f6e616d65007073716c00636c69656e745f656e636f64696e6700555446380000`),
			Server: unhex(`
			4e52000000170000000a534352414d2d5348412d3235360000`)},
		want: expect{"postgresql", High, FromClient},
		ev:   "\x00\x00\x00\b\x04\xd2\x16/",
	},
	{
		// ndpi__pgsql.pcap frames 43, 45
		name: "postgresql gssencrequest",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			0000000804d21630`),
			Server: unhex(`
			47`)},
		want: expect{"postgresql", Medium, FromClient},
		ev:   "\x00\x00\x00\b\x04\xd2\x160",
	},
	{
		// constructed: CancelRequest for pid 6699
		name: "postgresql cancelrequest",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			0000001004d2162e00001a2b5f3c9d11`)},
		want: expect{"postgresql", Medium, FromClient},
		ev:   "\x00\x00\x00\x10\x04\xd2\x16.",
	},
	{
		// ndpi__resp.pcap frames 4, 6 (first 64 bytes)
		name: "redis command",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			2a310d0a24370d0a434f4d4d414e440d0a`),
			Server: unhex(`
			2a3234300d0a2a31300d0a2431310d0a73696e74657273746f72650d0a3a2d330d0a2a320d0a2b77726974650d0a2b64
			656e796f6f6d0d0a3a310d0a3a2d310d`)},
		want: expect{"redis", High, FromClient},
		ev:   "COMMAND",
	},
	{
		// ndpi__resp.pcap frames 26, 27
		name: "redis ping",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			2a310d0a24340d0a70696e670d0a`),
			Server: unhex(`
			2b504f4e470d0a`)},
		want: expect{"redis", High, FromClient},
		ev:   "ping",
	},
	{
		// ndpi__resp.pcap frames 31, 32
		name: "redis set",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			2a330d0a24330d0a7365740d0a24340d0a746573740d0a2431320d0a48656c6c6f20776f726c64210d0a`),
			Server: unhex(`
			2b4f4b0d0a`)},
		want: expect{"redis", High, FromClient},
		ev:   "set",
	},
	{
		// constructed: inline command and its reply
		name: "redis inline ping",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			50494e470d0a`),
			Server: unhex(`
			2b504f4e470d0a`)},
		want: expect{"redis", Medium, FromClient},
		ev:   "PING",
	},
	{
		// ndpi__resp.pcap frame 27, client bytes missing
		name: "redis reply alone",
		in: Input{Transport: TCP, ClientFirst: false,
			Server: unhex(`
			2b504f4e470d0a`)},
		want: expect{"redis", Low, FromServer},
		ev:   "+PONG",
	},
	{
		// ndpi__mqtt.pcap frames 2, 4
		name: "mqtt 3.1 connect",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			104000064d514973647003c20014001663626161626362616261636262626262616161616162000c3032443530353032
			32334433000c303244353035303232334433`),
			Server: unhex(`
			20020000`)},
		want: expect{"mqtt", High, FromClient},
		ev:   "MQIsdp 3.1",
	},
	{
		// ndpi__mqtt.pcap frame 9 (first 80 bytes)
		name: "mqtt 3.1.1 connect",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			109a0200044d51545404c00258001050343737373549443137305732313230004a696f74617a6577706d6c6974687562
			2e617a7572652d646576696365732e6e65742f50343737373549443137305732`)},
		want: expect{"mqtt", High, FromClient},
		ev:   "MQTT 3.1.1",
	},
	{
		// constructed: v5 CONNECT, clean start, keep-alive 60
		name: "mqtt 5 connect",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			101800044d5154540502003c00000b666c6f7773636f70652d31`)},
		want: expect{"mqtt", High, FromClient},
		ev:   "MQTT 5.0",
	},
	{
		// ndpi__mqtt.pcap frame 4, client bytes missing
		name: "mqtt connack alone",
		in: Input{Transport: TCP, ClientFirst: false,
			Server: unhex(`
			20020000`)},
		want: expect{"mqtt", Low, FromServer},
		ev:   " \x02\x00\x00",
	},
	{
		// ndpi__wireguard.pcap frames 1, 2
		name: "wireguard handshake",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			01000000d837d0305fcec7c8e5c8e2e3f7989eef60c228d82329d602b6b1e2bb9d068f89cf9d4d4532780f6d27264f7b
			98701fdc27a4ec00aeb6becdbef2332f1b4084cadb93823935c012ae255e7b25eff13940c321fa6bd66a2a87b061db14
			30173e937f569349de2856dc5f2616763eeeafc0533b01dd965e7ec76976e28f683d6712000000000000000000000000
			00000000`),
			Server: unhex(`
			0200000006f47dabd837d030b18d5550bd4042a37a46823ac08db1ec66839bc0ca2d64bc15cd80232b66232faec24af8
			918de1060ff5c98e865d5f35f272214c5260110dc4c61e32cdd8542100000000000000000000000000000000`)},
		want: expect{"wireguard", High, FromClient},
		ev:   "\x01\x00\x00\x00",
	},
	{
		// ndpi__wireguard.pcap frames 3, 4
		name: "wireguard transport data",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0400000006f47dab0000000000000000a4ebc12ee3f990da18033a0789c04e2700f6f5c271d42ac4b4d6262e666549b4
			45a7436e829bffb6ac65f05648bc0c391fe7c5884874376127164940188f03dba67af8388eaab76c593628bf9dc7be03
			346d912e916dad862545454701364f2d2486d7ced4c8642ce547ddb26ef6a46b`),
			Server: unhex(`
			04000000d837d03000000000000000006f4f080e9f52691bbe948535f79c13ed68f09145d523eedb087265f968082f70
			735729263eda627c7683cdc0b80a3356d9536c9f0e2872797b5c81720ba0b8ea7233c6debf9f0fbee8f10ec18985b824
			bf350f8b8180d08a64e6be9810089ac3d1363ed5e129ca1e0425cf7e94965659`)},
		want: expect{"wireguard", Low, FromClient},
		ev:   "\x04\x00\x00\x00",
	},
	{
		// constructed: cookie reply to the initiation of ndpi__wireguard.pcap frame 1
		name: "wireguard cookie reply",
		in: Input{Transport: UDP, ClientFirst: false,
			Server: unhex(`
			03000000d837d0305b0e9c71a2f3d4e58697a8b9cadbecfd0e1f20314253f4657c1d2e3f405162738495a6b7c8d9eafb
			0c1d2e3f405162738495a6b7c8d9eafb`)},
		want: expect{"wireguard", High, FromServer},
		ev:   "\x03\x00\x00\x00",
	},
	{
		// ndpi__openvpn.pcap frames 1, 2
		name: "openvpn udp",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			38334857703d96db390000000000`),
			Server: unhex(`
			40d31c3a6964602fa00100000000334857703d96db3900000000`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "83HWp=\x96\xdb9\x00\x00\x00\x00\x00",
	},
	{
		// ndpi__openvpn.pcap frames 312, 313
		name: "openvpn udp tls-auth sha1",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			38b02ccff1b5f0174fc091666e3b124bada39173317b939722d1fe63be0000000157a1c15f0000000000`),
			Server: unhex(`
			40f77fc2efdbe23f57dec4c8d5654d0723bf8c0be54138563270cfae130000000157a1c15f0100000000b02ccff1b5f0
			174f00000000`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "8\xb0,\xcf\xf1\xb5\xf0\x17O\xc0\x91fn;\x12K",
	},
	{
		// ndpi__openvpn.pcap frames 661, 662
		name: "openvpn udp tls-auth sha512",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			389753568924842f7ba6451d00b204542cec1183d286579c7a0d1b4e77c933bd1e44c778043835399e46c15b986f91d1
			883467f203c379ef843943c991f4d7fa22093a4bff93864fb800000001669fcf310000000000`),
			Server: unhex(`
			402612593ee3bb277ad1f14afd85cc02bc7bd0615254b1fdf887e59b3913dd9e009d4daf8706f0eff256430404eef14c
			a230b45db2615232414e8418694d40e747add432cadfbef62300000001669fcf3201000000009753568924842f7b0000
			0000`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "8\x97SV\x89$\x84/{\xa6E\x1d\x00\xb2\x04T",
	},
	{
		// ndpi__openvpn.pcap frames 25+29, 27
		name: "openvpn tcp",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			000e38507a28a78275788d0000000000001628507a28a78275788d01000000009ad747beb24d8a1b`),
			Server: unhex(`
			001a409ad747beb24d8a1b0100000000507a28a78275788d00000000`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "\x00\x0e8Pz(\xa7\x82ux\x8d\x00\x00\x00\x00\x00",
	},
	{
		// ndpi__openvpn.pcap frames 220, 222
		name: "openvpn tcp tls-auth",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			002a3892b8af4a777fc742781024c276d9a1a8c2321879a02264b3ccbc807700000001577e73b30000000000`),
			Server: unhex(`
			003640d916c4860cb1d8cfa373cfd663159fc0253b52973b189f7f6cb9df8b00000001577e737d010000000092b8af4a
			777fc74200000000`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "\x00*8\x92\xb8\xafJw\x7f\xc7Bx\x10$\xc2v",
	},
	{
		// ndpi__openvpn.pcap frames 618, 620
		name: "openvpn tcp tls-crypt",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			0036382a56d979d99eccf40000000163cf4ff5b89824b0aa4e93c089c1e24af5443766b5cab18c23c17d51081eb196a2
			29085eec179d0d88`),
			Server: unhex(`
			0042402f64c09039de36230000000163cf4ff53036751e70bae8a84698d78c132edcf685ea93abfb4eda16e29f47208a
			baeeb8b2c6d71c379474de67682231f35717fb54`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "\x0068*V\xd9yٞ\xcc\xf4\x00\x00\x00\x01c",
	},
	{
		// ndpi__openvpn.pcap frame 515
		name: "openvpn client alone",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			3839fded2daa10a4370000000000`)},
		want: expect{"openvpn", Medium, FromClient},
		ev:   "89\xfd\xed-\xaa\x10\xa47\x00\x00\x00\x00\x00",
	},
	{
		// ndpi__openvpn.pcap frame 693, client datagram missing
		name: "openvpn server alone",
		in: Input{Transport: UDP, ClientFirst: false,
			Server: unhex(`
			40fba7e7e6a5fd1277faf7c1dcb583670c62ad17f13652246a12f8262ba1a7ea3fc3cc233713c50905ee6e753fc55ad5
			22e3f7381db2ced97cf08e33af48d9b01b0cfe3922d9af8bb40000000166aa23b701000000008fdd2b9e41d8abea0000
			0000`)},
		want: expect{"openvpn", Medium, FromServer},
		ev:   "@\xfb\xa7\xe7\xe6\xa5\xfd\x12w\xfa\xf7\xc1ܵ\x83g",
	},
	{
		// ndpi__gre.pcapng frame 1 (inner UDP payload)
		name: "sip status in gre",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			5349502f322e302031303020547279696e670d0a5669613a205349502f322e302f554450203139322e3136382e313033
			2e34303a353036303b72706f72743d353036303b72656365697665643d3139322e3136382e3130332e34303b6272616e
			63683d7a39684734624b5f41493230303041756730363439313336373232373131300d0a546f3a203c7369703a323731
			403139322e3136382e31302e3231303e0d0a46726f6d3a203c7369703a323831403139322e3136382e3130332e34303e
			3b7461673d4149434346383035453537384345363430330d0a43616c6c2d49443a204149313733374142353439314144
			43333932403139322e3136382e3130332e34300d0a435365713a203120494e564954450d0a436f6e74656e742d4c656e
			6774683a20300d0a0d0a`)},
		want: expect{"sip", High, FromClient},
		ev:   "SIP/2.0 100 Trying",
	},
	{
		// constructed: INVITE over UDP
		name: "sip invite",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			494e56495445207369703a626f62406578616d706c652e6f7267205349502f322e300d0a5669613a205349502f322e30
			2f554450203139322e302e322e31303a353036303b6272616e63683d7a39684734624b3761316633630d0a4d61782d46
			6f7277617264733a2037300d0a546f3a203c7369703a626f62406578616d706c652e6f72673e0d0a46726f6d3a203c73
			69703a616c696365406578616d706c652e636f6d3e3b7461673d343832310d0a43616c6c2d49443a2035633165396137
			62403139322e302e322e31300d0a435365713a203120494e564954450d0a436f6e746163743a203c7369703a616c6963
			65403139322e302e322e31303a353036303e0d0a436f6e74656e742d4c656e6774683a20300d0a0d0a`)},
		want: expect{"sip", High, FromClient},
		ev:   "INVITE sip:bob@example.org SIP/2.0",
	},
	{
		// constructed: REGISTER over TCP and its 401
		name: "sip register over tcp",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			524547495354455220736970733a6578616d706c652e636f6d205349502f322e300d0a5669613a205349502f322e302f
			544350203139322e302e322e31313a35303331323b6272616e63683d7a39684734624b306433650d0a4d61782d466f72
			77617264733a2037300d0a546f3a203c736970733a6361726f6c406578616d706c652e636f6d3e0d0a46726f6d3a203c
			736970733a6361726f6c406578616d706c652e636f6d3e3b7461673d373761610d0a43616c6c2d49443a203966326340
			3139322e302e322e31310d0a435365713a20312052454749535445520d0a436f6e746163743a203c736970733a636172
			6f6c403139322e302e322e31313a35303331323b7472616e73706f72743d7463703e0d0a457870697265733a20333630
			300d0a436f6e74656e742d4c656e6774683a20300d0a0d0a`),
			Server: unhex(`
			5349502f322e302034303120556e617574686f72697a65640d0a5669613a205349502f322e302f544350203139322e30
			2e322e31313a35303331323b6272616e63683d7a39684734624b306433650d0a546f3a203c736970733a6361726f6c40
			6578616d706c652e636f6d3e3b7461673d623163320d0a46726f6d3a203c736970733a6361726f6c406578616d706c65
			2e636f6d3e3b7461673d373761610d0a43616c6c2d49443a2039663263403139322e302e322e31310d0a435365713a20
			312052454749535445520d0a5757572d41757468656e7469636174653a20446967657374207265616c6d3d226578616d
			706c652e636f6d222c206e6f6e63653d22346631613262220d0a436f6e74656e742d4c656e6774683a20300d0a0d0a`)},
		want: expect{"sip", High, FromClient},
		ev:   "REGISTER sips:example.com SIP/2.0",
	},
	{
		// zeek__gre-sample.pcap frames 9, 10 (inner UDP payloads)
		name: "ntp client and server",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			230b06ef00000000000002d67f7f0101c290f0ecd9a78f25c290f0c76aeb2000c290f0b6fe03b3e9c290f0f5d98dac25`),
			Server: unhex(`
			240206ee000003bc000002e4cdbcb921c290f098e430a000c290f0f5d98dac25c290f1093be6f000c290f1093bf88000`)},
		want: expect{"ntp", High, FromClient},
		ev:   "#\v\x06\xef",
	},
	{
		// zeek__gre-sample.pcap frame 37 (inner UDP payload)
		name: "ntp client alone",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			230b06ef00000000000002e97f7f0101c290f0ecd9a78f25c290f0d808ca3000c290f0c6e5c66d37c290f108d963992c`)},
		want: expect{"ntp", Low, FromClient},
		ev:   "#\v\x06\xef",
	},
	{
		// constructed: gopacket__test202.pcapng frame 2 completed past its snaplen
		name: "dhcp discover",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0101060000003d1d0000000000000000000000000000000000000000000b8201fc420000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363
			3501013d0701000b8201fc4232040000000037040103062aff0000000000000000000000000000000000000000000000
			000000000000000000000000`)},
		want: expect{"dhcp", High, FromClient},
		ev:   "DHCPDISCOVER",
	},
	{
		// constructed: gopacket__test202.pcapng frame 3 completed past its snaplen
		name: "dhcp offer",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0201060000003d1d0000000000000000c0a8000ac0a8000100000000000b8201fc420000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363
			3501020104ffffff003a04000007083b0400000c4e330400000e103604c0a80001ff0000000000000000000000000000
			000000000000000000000000`)},
		want: expect{"dhcp", High, FromClient},
		ev:   "DHCPOFFER",
	},
	{
		// constructed: get-request sysDescr.0 and its response
		name: "snmp v2c get",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			302902010104067075626c6963a01c02041c9a3e57020100020100300e300c06082b060102010101000500`),
			Server: unhex(`
			304702010104067075626c6963a23a02041c9a3e57020100020100302c302a06082b06010201010100041e4c696e7578
			20677720362e312e302d31382d616d643634207838365f3634`)},
		want: expect{"snmp", High, FromClient},
		ev:   "SNMPv2c",
	},
	{
		// constructed: get-next-request
		name: "snmp v1 getnext",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			3028020100040770726976617465a11a02020417020100020100300e300c06082b060102010101000500`)},
		want: expect{"snmp", High, FromClient},
		ev:   "SNMPv1",
	},
	{
		// constructed: USM engine discovery get-request
		name: "snmp v3 discovery",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			303c020103301002032e4b61020300ffe30401040201030410300e0400020100020100040004000400301304000400a0
			0d02036a01f30201000201003000`)},
		want: expect{"snmp", High, FromClient},
		ev:   "SNMPv3",
	},
	{
		// ndpi__bittorrent.pcap frames 3, 4 (first 96 bytes)
		name: "bittorrent handshake",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			13426974546f7272656e742070726f746f636f6c0000000000100005dcfcdccfb9e670ccc3dd40c78c161f2bea243126
			2d554d313836302d418e124c7011d02f89ddaef0`),
			Server: unhex(`
			13426974546f7272656e742070726f746f636f6c0000000000100005dcfcdccfb9e670ccc3dd40c78c161f2bea243126
			2d5554333435302df0a2b9cdc78ab49e5d5792a4000000e7140064313a65693065343a69707634343a5239615331323a`)},
		want: expect{"bittorrent", High, FromClient},
		ev:   "BitTorrent protocol",
	},
	{
		// constructed: find_node query
		name: "bittorrent dht query",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			64313a6164323a696432303a8d3a5c0e71f29b44d06e1a2f93c4b78e5f6a0d21363a74617267657432303a2c94e7b105
			8fa3d6c97e41b20a6f38d5e1c7b49265313a71393a66696e645f6e6f6465313a74323a8f01313a79313a7165`)},
		want: expect{"bittorrent", Medium, FromClient},
		ev:   "d1:ad2:id20:",
	},
	{
		// constructed: find_node response with the ip key
		name: "bittorrent dht response",
		in: Input{Transport: UDP, ClientFirst: false,
			Server: unhex(`
			64323a6970363ac000020a1ae1313a7264323a696432303af1e2d3c4b5a6978877665544332211009a8b7c6d353a6e6f
			64657332363a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3ec633640b1ae165313a74323a8f01313a79313a7265`)},
		want: expect{"bittorrent", Medium, FromServer},
		ev:   "d1:rd2:id20:",
	},
	{
		// constructed: greeting, no-auth reply, CONNECT example.org:80
		name: "socks5 connect",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			050100050100030b6578616d706c652e6f72670050`),
			Server: unhex(`
			050005000001c00002011f90`)},
		want: expect{"socks", High, FromClient},
		ev:   "\x05\x01\x00",
	},
	{
		// constructed: greeting offering no-auth and user/password
		name: "socks5 greeting alone",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			05020002`)},
		want: expect{"socks", Medium, FromClient},
		ev:   "\x05\x02\x00\x02",
	},
	{
		// constructed: CONNECT 192.0.2.20:80 and its grant
		name: "socks4 connect",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			04010050c0000214616c69636500`),
			Server: unhex(`
			005a0050c0000214`)},
		want: expect{"socks", High, FromClient},
		ev:   "\x04\x01\x00P\xc0\x00\x02\x14",
	},
	{
		// constructed: CONNECT example.org:80
		name: "socks4a connect",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			0401005000000001006578616d706c652e6f726700`)},
		want: expect{"socks", Medium, FromClient},
		ev:   "\x04\x01\x00P\x00\x00\x00\x01",
	},
	{
		// constructed: OPTIONS and its reply
		name: "rtsp options",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			4f5054494f4e5320727473703a2f2f3139322e302e322e32303a3535342f73747265616d3120525453502f312e300d0a
			435365713a20310d0a557365722d4167656e743a20666c6f7773636f70652d746573740d0a0d0a`),
			Server: unhex(`
			525453502f312e3020323030204f4b0d0a435365713a20310d0a5075626c69633a204f5054494f4e532c204445534352
			4942452c2053455455502c2054454152444f574e2c20504c41592c2050415553450d0a0d0a`)},
		want: expect{"rtsp", High, FromClient},
		ev:   "OPTIONS rtsp://192.0.2.20:554/stream1 RTSP/1.0",
	},
	{
		// constructed: DESCRIBE
		name: "rtsp describe",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			444553435249424520727473703a2f2f63616d2e6578616d706c652e6e65742f6c6976652e73647020525453502f312e
			300d0a435365713a20320d0a4163636570743a206170706c69636174696f6e2f7364700d0a0d0a`)},
		want: expect{"rtsp", High, FromClient},
		ev:   "DESCRIBE rtsp://cam.example.net/live.sdp RTSP/1.0",
	},
	{
		// ndpi__vxlan.pcap frame 1
		name: "vxlan dns",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0800000000045700667a50aaff9a1eea692a6fcf08004500003a35b040004011d6e50a0a140408080808ad9500350026
			17e290c6010000010000000000000866616365626f6f6b03636f6d0000010001`)},
		want: expect{"vxlan", High, FromClient},
		ev:   "\b\x00\x00\x00\x00\x04W\x00",
	},
	{
		// ndpi__vxlan.pcap frame 5
		name: "vxlan tcp syn",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0800000000045700667a50aaff9a1eea692a6fcf08004500003c7351400040062b490a0a14049df0e023b0aa01bb466b
			d3df00000000a002fd5cbaaa0000020405820402080af50c324b0000000001030307`)},
		want: expect{"vxlan", High, FromClient},
		ev:   "\b\x00\x00\x00\x00\x04W\x00",
	},
	{
		// constructed: Geneve header around the inner frame of ndpi__vxlan.pcap frame 1
		name: "geneve ethernet",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0000655800045700667a50aaff9a1eea692a6fcf08004500003a35b040004011d6e50a0a140408080808ad9500350026
			17e290c6010000010000000000000866616365626f6f6b03636f6d0000010001`)},
		want: expect{"geneve", High, FromClient},
		ev:   "\x00\x00eX\x00\x04W\x00",
	},
	{
		// constructed: Geneve header, one critical option, the inner IPv4 packet of ndpi__vxlan.pcap frame 1
		name: "geneve ipv4 with option",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0240080000030e0001028001deadbeef4500003a35b040004011d6e50a0a140408080808ad950035002617e290c60100
			00010000000000000866616365626f6f6b03636f6d0000010001`)},
		want: expect{"geneve", High, FromClient},
		ev:   "\x02@\b\x00\x00\x03\x0e\x00",
	},
	{
		// constructed: Geneve header with no payload
		name: "geneve header alone",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0000655800045700`)},
		want: expect{"geneve", Medium, FromClient},
		ev:   "\x00\x00eX\x00\x04W\x00",
	},
	{
		// telnet.pcap (ndpi-corpus): the client's option burst (frames 4, 7)
		// and the server's (frames 5, 9).
		name: "telnet-negotiation",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`fffd03fffb18fffb1ffffb20fffb21fffb22fffb27fffd05fffb23 fffc25`),
			Server: unhex(`fffd25 fffb03fffd18fffd1ffffd20fffd21fffd22fffa22010bfff0`)},
		want: expect{"telnet", High, FromClient},
		ev:   "\xff\xfd\x03\xff\xfb\x18\xff\xfb\x1f\xff\xfb\x20\xff\xfb\x21\xff",
	},
	{
		// telnet.pcap (ndpi-corpus) frame 5: the server's first segment, a
		// lone DO, before the client's burst.
		name: "telnet-lone-do",
		in:   Input{Transport: TCP, Server: unhex(`fffd25`)},
		want: expect{"telnet", Low, FromServer},
		ev:   "\xff\xfd\x25",
	},
	{
		// Constructed from RFC 6143 7.1: no capture in testdata holds VNC.
		// The server's ProtocolVersion and security types (one: VNC
		// authentication); the client's ProtocolVersion and choice.
		name: "vnc-rfb-3.8",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: []byte("RFB 003.008\n\x02"),
			Server: []byte("RFB 003.008\n\x01\x02")},
		want: expect{"vnc", High, FromClient},
		ev:   "RFB 003.008",
	},
	{
		// ndpi__mysql.pcapng: MariaDB server greeting and login request;
		// client frame 6 (128 bytes), server frame 4 (110 bytes).
		name: "mysql",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			d600000184a6ff200000000121000000000000000000000000000000000000001d00000061646d696e0014e38721fbab
			8305d547465b19e40b1ce58bdf1b8f6d7973716c5f6e61746976655f70617373776f72640084035f6f73054c696e7578
			0c5f636c69656e745f6e616d650a6c69626d617269616462045f706964063733`),
			Server: unhex(`
			6a0000000a352e352e352d31302e362e31322d4d6172696144422d307562756e7475302e32322e30342e310020000000
			4767503d212b544800fef72d0200ff81150000000000001d0000004976374f652f59526d52313e006d7973716c5f6e61
			746976655f70617373776f726400`)},
		want: expect{"mysql", High, FromServer},
		ev:   "5.5.5-10.6.12-MariaDB-0ubuntu0.22.04.1",
	},
	{
		// ndpi__pgsql.pcap: startup message and authentication request;
		// client frame 7 (38 bytes), server frame 11 (13 bytes).
		name: "pgsql",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			000000260003000075736572006f727978006461746162617365006d61696c73746f72650000`),
			Server: unhex(`
			520000000c00000005ad44ff54`)},
		want: expect{"postgresql", High, FromClient},
		ev:   "\x00\x00\x00&\x00\x03\x00\x00",
	},
	{
		// ndpi__resp.pcap: RESP COMMAND request and the start of its reply;
		// client frame 4 (17 bytes), server frame 6 (128 bytes).
		name: "redis",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			2a310d0a24370d0a434f4d4d414e440d0a`),
			Server: unhex(`
			2a3234300d0a2a31300d0a2431310d0a73696e74657273746f72650d0a3a2d330d0a2a320d0a2b77726974650d0a2b64
			656e796f6f6d0d0a3a310d0a3a2d310d0a3a310d0a2a330d0a2b4077726974650d0a2b407365740d0a2b40736c6f770d
			0a2a300d0a2a320d0a2a360d0a24350d0a666c6167730d0a2a320d0a2b52570d`)},
		want: expect{"redis", High, FromClient},
		ev:   "COMMAND",
	},
	{
		// ndpi__mqtt.pcap: CONNECT and CONNACK;
		// client frame 2 (66 bytes), server frame 4 (4 bytes).
		name: "mqtt",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			104000064d514973647003c20014001663626161626362616261636262626262616161616162000c3032443530353032
			32334433000c303244353035303232334433`),
			Server: unhex(`
			20020000`)},
		want: expect{"mqtt", High, FromClient},
		ev:   "MQIsdp 3.1",
	},
	{
		// ndpi__bittorrent.pcap: peer-wire handshake and a bencoded reply;
		// client frame 1 (68 bytes), server frame 2 (128 bytes).
		name: "bittorrent",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			13426974546f7272656e742070726f746f636f6c0000000000100005dcfcdccfb9e670ccc3dd40c78c161f2bea243126
			2d554d313836302d418e181ac9ba17987152663e`),
			Server: unhex(`
			343a69707634343a523ad87331323a636f6d706c6574655f61676f693965313a6d6431313a75706c6f61645f6f6e6c79
			69336531313a6c745f646f6e746861766569376531323a75745f686f6c6570756e636869346531313a75745f6d657461
			64617461693265363a75745f70657869316531303a75745f636f6d6d656e7469`)},
		want: expect{"bittorrent", High, FromClient},
		ev:   "BitTorrent protocol",
	},
	{
		// ndpi__openvpn.pcap: P_CONTROL_HARD_RESET client and server;
		// client frame 25 (16 bytes), server frame 27 (28 bytes).
		name: "openvpn-tcp",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			000e38507a28a78275788d0000000000`),
			Server: unhex(`
			001a409ad747beb24d8a1b0100000000507a28a78275788d00000000`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "\x00\x0e8Pz(\xa7\x82ux\x8d\x00\x00\x00\x00\x00",
	},
	{
		// ndpi__wireguard.pcap: handshake initiation and response;
		// client frame 1 (148 bytes), server frame 2 (92 bytes).
		name: "wireguard",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			01000000d837d0305fcec7c8e5c8e2e3f7989eef60c228d82329d602b6b1e2bb9d068f89cf9d4d4532780f6d27264f7b
			98701fdc27a4ec00aeb6becdbef2332f1b4084cadb93823935c012ae255e7b25eff13940c321fa6bd66a2a87b061db14
			30173e937f569349de2856dc5f2616763eeeafc0533b01dd965e7ec76976e28f683d6712000000000000000000000000
			00000000`),
			Server: unhex(`
			0200000006f47dabd837d030b18d5550bd4042a37a46823ac08db1ec66839bc0ca2d64bc15cd80232b66232faec24af8
			918de1060ff5c98e865d5f35f272214c5260110dc4c61e32cdd8542100000000000000000000000000000000`)},
		want: expect{"wireguard", High, FromClient},
		ev:   "\x01\x00\x00\x00",
	},
	{
		// ndpi__openvpn.pcap: hard reset client and server;
		// client frame 1 (14 bytes), server frame 2 (26 bytes).
		name: "openvpn-udp",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			38334857703d96db390000000000`),
			Server: unhex(`
			40d31c3a6964602fa00100000000334857703d96db3900000000`)},
		want: expect{"openvpn", High, FromClient},
		ev:   "83HWp=\x96\xdb9\x00\x00\x00\x00\x00",
	},
	{
		// zeek__gre-sample.pcap: two NTP packets inside GRE;
		// client frame 9 (48 bytes), server frame 10 (48 bytes).
		name: "ntp",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			230b06ef00000000000002d67f7f0101c290f0ecd9a78f25c290f0c76aeb2000c290f0b6fe03b3e9c290f0f5d98dac25`),
			Server: unhex(`
			240206ee000003bc000002e4cdbcb921c290f098e430a000c290f0f5d98dac25c290f1093be6f000c290f1093bf88000`)},
		want: expect{"ntp", High, FromClient},
		ev:   "#\v\x06\xef",
	},
	{
		// ndpi__gre.pcapng: SIP/2.0 100 Trying inside GRE;
		// client frame 1 (128 bytes).
		name: "sip",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			5349502f322e302031303020547279696e670d0a5669613a205349502f322e302f554450203139322e3136382e313033
			2e34303a353036303b72706f72743d353036303b72656365697665643d3139322e3136382e3130332e34303b6272616e
			63683d7a39684734624b5f414932303030417567303634393133363732323731`),
			Server: unhex("")},
		want: expect{"sip", High, FromClient},
		ev:   "SIP/2.0 100 Trying",
	},
	{
		// ndpi__443-curl.pcap frame 4, 6
		name: "tls 1.2",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			1603010200010001fc03033e3841edcc20f6d0e5f7167ab7ee91a800c8ef70c2d624c7c7943a24026d9fbc000086cc14
			cc13cc15c030c02cc028c024c014c00a00a3009f006b006a00390038ff8500c400c3008800870081c032c02ec02ac026
			c00fc005009d003d003500c00084c02fc02bc027c023c013c00900a2009e006700400033003200be00bd00450044c031
			c02dc029c025c00ec004009c003c002f00ba0041c012c00800160013c00dc003000a00ff0100014d00000011000f0000
			0c7777772e6e746f702e6f7267000b000403000102000a003a0038000e000d0019001c000b000c001b00180009000a00
			1a001600170008000600070014001500`),
			Server: unhex(`
			16030300660200006203038f72dd2e35dcf5ddf38ae75db855d1610b4db32937cb20cd3187eec12057fb2520ea8fcd1d
			a8f8635bd5df2a45b603764dd7cfb5f82666ff77fd47635bf9a8f0cbc02f00001aff0100010000000000000b00040300
			010200100005000302683216030309f80b0009f40009f10005553082055130820439a003020102021203c56f6636eda7
			2f7f4c5665fa055d933255300d06092a864886f70d01010b0500304a310b300906035504061302555331163014060355
			040a130d4c6574277320456e6372797074312330210603550403131a4c6574277320456e637279707420417574686f72
			697479205833301e170d313931323137`)},
		want: expect{"tls", High, FromClient},
		ev:   "\x16\x03\x01\x02\x00\x01",
	},
	{
		// ndpi__google_chat.pcapng frame 4, 6
		name: "tls 1.3",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			16030102920100028e03038fc7788d37528336fe7da39d244a6e799933a1e470e416942bf2962c28af7f0920e9b028b5
			ec3ec1f7f57215b2d6208e07a0d37458c8acc256817309355d0c8b940022130113031302c02bc02fcca9cca8c02cc030
			c00ac009c013c014009c009d002f00350100022300000014001200000f636861742e676f6f676c652e636f6d00170000
			ff01000100000a000e000c001d00170018001901000101000b00020100002300000010000e000c02683208687474702f
			312e310005000501000000000022000a000804030503060302030033006b0069001d00204559feed48c8ae103cd06000
			f16087c4a1883cf915b8db2b95a8e389`),
			Server: unhex(`
			160303007a02000076030332c143d7ea6d78c35588670d969b21ca4e212e4058061de5270d22ce423a548120e9b028b5
			ec3ec1f7f57215b2d6208e07a0d37458c8acc256817309355d0c8b94130100002e00330024001d002096838f9bbc6e3c
			e28812b145233b59c66c9347ae4e972bff7a8f9dd477294528002b000203041403030001011703031a1f31c2ff73ec78
			548d18e37b3171c7371aaa6d8ea047f135d97cec318e882719500906aaf9ace2327bd6b7a3fc4278314e3ade7f070f6c
			0c02b33203669148fa84571b8b7bffc7f0d3f38a606afb067a129a3fd93658b1ef0fbbe16d036862d71e25ac3826cc12
			47215a04bae1c2edde3fa1feb5c2c542`)},
		want: expect{"tls", High, FromClient},
		ev:   "\x16\x03\x01\x02\x92\x01",
	},
	{
		// ndpi__http.pcapng frame 4, 6
		name: "http",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			474554202f20485454502f312e310d0a486f73743a20676f6f676c652e636f6d0d0a557365722d4167656e743a206375
			726c2f372e36382e300d0a4163636570743a202a2f2a0d0a0d0a`),
			Server: unhex(`
			485454502f312e3120333031204d6f766564205065726d616e656e746c790d0a4c6f636174696f6e3a20687474703a2f
			2f7777772e676f6f676c652e636f6d2f0d0a436f6e74656e742d547970653a20746578742f68746d6c3b206368617273
			65743d5554462d380d0a446174653a205475652c203235204a616e20323032322031363a35303a343120474d540d0a45
			7870697265733a205468752c2032342046656220323032322031363a35303a343120474d540d0a43616368652d436f6e
			74726f6c3a207075626c69632c206d61782d6167653d323539323030300d0a5365727665723a206777730d0a436f6e74
			656e742d4c656e6774683a203231390d`)},
		want: expect{"http", High, FromClient},
		ev:   "GET / HTTP/1.1",
	},
	{
		// ndpi__ssh.pcap frame 6, 4
		name: "ssh",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			5353482d322e302d4f70656e5353485f352e360d0a`),
			Server: unhex(`
			5353482d322e302d4f70656e5353485f352e330d0a`)},
		want: expect{"ssh", High, FromServer},
		ev:   "SSH-2.0-OpenSSH_5.3",
	},
	{
		// ndpi__smtp.pcap frame 6, 4
		name: "smtp",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			45484c4f2064656c74612e70656163682e6d696c0d0a`),
			Server: unhex(`
			32323020706967656f6e2e65797269652e61662e6d696c2045534d54502053656e646d61696c20382e382e372f382e38
			2e373b205361742c20372041756720313939392030383a32303a3131202d303430300d0a`)},
		want: expect{"smtp", High, FromServer},
		ev:   "220 pigeon.eyrie.af.mil ESMTP Sendmail 8.8.7/8.8.7; Sat, 7 Aug 1",
	},
	{
		// ndpi__imap.pcap frame 6, 4
		name: "imap",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			433030303030204341504142494c4954590d0a`),
			Server: unhex(`
			2a204f4b20494d41503452657631205365727665722056657273696f6e20342e392e30342e3031320d0a`)},
		want: expect{"imap", High, FromServer},
		ev:   "* OK IMAP4Rev1 Server Version 4.9.04.012",
	},
	{
		// ndpi__pop3.pcap frame 6, 4
		name: "pop3",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			757365722063696363696f7065726e61636368696f406d61696c2e636f6d0d0a`),
			Server: unhex(`
			2b4f4b20504f50207365727665722072656164792048206d69676d7875733030350d0a`)},
		want: expect{"pop3", High, FromServer},
		ev:   "+OK POP server ready H migmxus005",
	},
	{
		// ndpi__ftp.pcap frame 6, 4
		name: "ftp",
		in: Input{Transport: TCP, ClientFirst: false,
			Client: unhex(`
			5553455220616e6f6e796d6f75730d0a`),
			Server: unhex(`
			323230202876734654506420332e302e33290d0a`)},
		want: expect{"ftp", High, FromServer},
		ev:   "220 (vsFTPd 3.0.3)",
	},
	{
		// ndpi__rdp.pcap frame 4, 5
		name: "rdp",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			030000130ee00000000000010008000b000000`),
			Server: unhex(`
			030000130ed00000123400021f080008000000`)},
		want: expect{"rdp", High, FromClient},
		ev:   "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\b\x00\v\x00\x00\x00",
	},
	{
		// ndpi__smb_deletefile.pcap frame 1, 2
		name: "smb2",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			00000178fe534d4240000100000000000500000100000000980000009c0f000000000000fffe0000110000001d000000
			002800000000000000000000000000000000000039000000020000000000000000000000000000000000000081001000
			1000000007000000010000000100000078001c0000000000000000004c007500630061005c0044006f0077006e006c00
			6f0061006400730000000000fe534d4240000100000000000e00000104000000880000009d0f000000000000fffe0000
			110000001d00000000280000000000000000000000000000000000002100250300000000ffffffffffffffffffffffff
			ffffffff600026000000010069006e00`),
			Server: unhex(`
			000001f0fe534d4240000100000000000500000001000000980000009c0f000000000000fffe0000110000001d000000
			00280000000000000000000000000000000000005900000001000000f25a77eb348ad401782f0f729cfbd5018cd0ed71
			9cfbd5018cd0ed719cfbd501002000000000000000200000000000001100000000000000120400000a00000065000000
			0a0000000000000000000000fe534d4240000100000000000e00000005000000d80000009d0f000000000000fffe0000
			110000001d0000000028000000000000000000000000000000000000090048008e000000000000000000000033c25339
			2d98d4013376b64c9bfbd501aab6503c`)},
		want: expect{"smb", High, FromClient},
		ev:   "\x00\x00\x01x\xfeSMB",
	},
	{
		// tcpdump__dns_tcp.pcap frame 4, 6
		name: "dns over tcp",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			0038431901200001000000000001037777770774637064756d70036f72670000010001000029100000000000000c000a
			00088f06be7d691442f0`),
			Server: unhex(`
			00e0431985000001000200020005037777770774637064756d70036f72670000010001c00c000100010000003c0004c0
			8b2e42c00c000100010000003c0004c6c75868c01000020001000151800012036e69630973616e64656c6d616e026361
			00c0100002000100015180001203736e7308636f6f7065726978036e657400c04d000100010000012c0004d157f912c0
			4d001c00010000012c00102607f0b0000f000000000000babef00dc06b0001000100001c200004616b850fc06b001c00
			0100001c20001026003c0300000000f03c91fffe96e8ef0000291000000000000000`)},
		want: expect{"dns", High, FromClient},
		ev:   "www.tcpdump.org",
	},
	{
		// ndpi__netflix.pcap frame 2, 4
		name: "dns",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			29560100000100000000000003696f73046e636370076e6574666c697803636f6d0000010001`),
			Server: unhex(`
			295681800001000a0000000003696f73046e636370076e6574666c697803636f6d0000010001c00c000500010000006f
			000f03696f73046e6363700367656fc015c032000500010000016b001c03696f73046e6363700975732d776573742d32
			0670726f646161c015c04d0001000100000032000436bf1133c04d0001000100000032000436bff8acc04d0001000100
			000032000436ba6990c04d0001000100000032000436ba17c7c04d0001000100000032000436954f8ac04d0001000100
			000032000436ba8a6fc04d0001000100000032000436c8644ec04d0001000100000032000436ba2757`)},
		want: expect{"dns", High, FromClient},
		ev:   "ios.nccp.netflix.com",
	},
	{
		// ndpi__dns_fragmented.pcap frame 1, 3
		name: "dns edns",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			d43f001000010000000000010877656265726c616202646500003000010000291000000080000000`),
			Server: unhex(`
			d43f841000010004000000010877656265726c61620264650000300001c00c003000010000003c02080101030a030100
			01ddeffded22ad760a3b0b58101dd53deef3f7daaf8b995ef7fcb55d7ca9969e72ff9c5aaab9bfade946f29831f06b0d
			5b6220be224a009e94894e391112a81fe7f3daa7f6494147156c24c1e896c8b6781191e1a30be2084c7de0fe0eb3034a
			5e67581dedfcae51cf6bedceca95bd8187d1f6584228ade77823eaf3f68516c4d323b750f90da41115a208c0b26e5e16
			3b0b01a3f4659cf338cae7cc28894006233935640f36623a8d8cc0629628c9485df479e72080e5350f3d1e95d07459b2
			b0cada5d86fba833a838488ea1db6d287d32fefb49d92454d39445e0012e99a708533022e4b2f670c4310bbb7bae50c8
			e17e363517ce2c0a86b8e79c9458f3ab3dce7402567a0fc002749b6f4d80182910dfbd135f5856bde017b7ac693d638b
			8075d22c817f973fb097e0e6f193560e79f9cc426e123df1a2f6b583cce645724e9aa03a5611aa7b0c45f1cfb229e344
			387cf85f8fd12e658722e11bbdba0fd340e4e40f5b87264656ccad38983e37084542dbc158b983f36145b5f4addaf99b
			1453700193a7459589386f4bed315c1889b538450b9a8854c852ec0463170c53aed64d28ea9aa6e3de6db01b8cc89369
			7dd4283f03a4529b0a8ba8e636aeaf463bef36225b705ca54d0aea1c64c6b8ea29b94b016d45e3fe73abe08ea3e3693a
			18322e4f22c391a56b76bc579869df3674ad76a5a6bc75e8fd8170765b3d6dc4fbc00c003000010000003c0108010003
			0a03010001d054dc28f150ac3b49e6336bb731caafd7837ce7550b0ccee17f51e2da8a03ae6ed24787184bfa6d76f48c
			509132a8f094485dc2970fe6958b3b629a5f3ef013c25c534f7ed1697450b30513461e3fdc6b583f165724eafe5abda7
			c1fe11aa6d6298d8b10629be64b585868fc241d26aca1aa0d954fca2782d1d615bf4da239a3af521765ed0b605726d1d
			d5ea01e58681b40711be19b8d4a7e3723c295bb8c388c1f95b546079f78e8fc9019082718d5f62f5307ba639a602fc3d
			d49f2cd064d326aa3f391b00cd3f011e0df2eaeb09b50547f1eccc3070456e3b607462653288f8927d4a064f09b63f59
			c634c8656228f76d8f55bf2c42a8f4272b4b394ebdc00c002e00010000003c021f00300a020000003c5d0a15115ce27e
			33337b0877656265726c6162026465001fb23f857f9e34d7d59ac0517e76438a693734d8405c146ff7d9ed4c9060b371
			aebb2d2ee5042261a13706681a7e3b1348c2c49b1c6220294ff95888bd8bd7249497844aa872233cdb98ba26ecebbb79
			65a6e462c6a1958100fe539c337788431f69bb93a0ee9d5ddb20525044ce0621b0da615fdbe1129e2e947b85cf5c4118
			cc086231186e60e240cbc801aa83e391105c25f5894902c2b0ad6e6324a44d97db0338097953349d777a6b3806d01851
			13e2de68eeab3774151c3b5f827c11759d26ab011c3fd231cfba3d314552299db82a9d507d2e67bc41e7e4f8a53402db
			65864e3b471001e57c06197156e00b2c379c10e2c2f2c6359b1ea8cd8e7f691ca9c8703d1c2ac94f4a881c9c20b7113b
			95da16cb3b33df630a819bc260c6523ce5cafd6de9eb514fb43e224f821deb15c3bf246e00b2f7c1a314330cb79928d7
			0c701da5759a08e31f631d88cd1938acde530d0b54a216306a849bcacb700d82a78591a2f634b41bc14e6f25a14eb282
			97b69390c05a1447a30a1d1d7c3e5624ff8c0d2fd3477d811b44be1ad1939789f563cc20c8fee7933dff44471ebe422f
			a4945422655cf00fd53d323ef4abc14a4a0b3c0f596bf229a94a600d5b0a594e5ba745744dd12bcb1bedc0e9d55d7747
			d3f8493202205a1999cd8dbf515a110551a9b56b002219f9b0ef9485c8ef678d69dedff5996a76dc17540026e536d1dc
			c363002e00010000003c011f00300a020000003c5d0a15115ce27e3390470877656265726c6162026465007a182ae8b2
			34c3525ac7d7c2d451f27fe92b2ef76add36c84c2dd44a16c9fa6d57cb14a31b9256690f054bdb481e8fa8563639d5cc
			baf9f82224d076cc249bda1d49f03e34449c94658734960b8d1ab333be88016276f1227b83283d81f1219aba6c6cca72
			6e9414994dd7bbe249ee72693eee0e036ccd33c9f443d16dd1843deed0d15d8e2ff4ce6888f35ed59021361a956fb8bd
			c5f0a0c20be10c623265387a8cf924c9c4fabd645f3125c5484e40ba118e8275199899076abd1616cc35cf8c6b72bb95
			d3d771f5542f08262b0d51e8410ebd8f7a9a40354757165caa550ea60112fa5274c14f4c5a9bb0e99aec7270eec13aa9
			76ac2eca0496f8972920f40000291000000080000000`)},
		want: expect{"dns", High, FromClient},
		ev:   "weberlab.de",
	},
	{
		// ndpi__quic-34.pcap frame 1, 2
		name: "quic draft-34",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			c6ff00002208a128fde632355cb7088d4cb7400728be490044caad3d483bb974522b890c5d7e7712ce689cbcf1b517a6
			546cae304c5a15b32eb7abc3baa07653f0e9cce7d496ad05bd1b7dad42698d6eb20ed509ffbd33b73f820d8215f15a4a
			8502d0b587cf0f79a690a9f617192bad03b829a7dacd5b9c6f872f57b4f8374bb8dc09c970cb5ce1dfc65e731a69ce15
			7c095f1dee32d750e08343bed1a2a28f3116a0f5f1c91478b79d5a0bb3646efff427976058a0c1424f70dfb772b5be73
			c236df407a51565b8d073647b392380cc67f267341f8fad4caec81997ae9d204765e7c158f34377e534f16071082edbf
			253545d0bd770a4c6dffe41995cf41df0068cac12ab8ca4596e542c65869b0936814aee33e0debd9cfaec51406d29f29
			719a67bd392c58bf9ff16a854f97282cf3dd665670067d3644a7c64c0fae019d0b684d0ed646b7e1612982aa6855cf1f
			6b269369dae32f23bf2654be76afca75ddf2f4a3dedfc8e37b1722acead6d7eaa53f3870231f29892a6b84e0b2110636
			f9f963ad0342a54a0f2afcdd6ac8fef18fef80e8b86803574c0b2977e34f642b21970429181610742ec21196dfe50970
			527c9217279c9cf22ca247dccbb109089c465455c04e8a77f5fe5a82aa83809041c5b57b572d3a14ad6a931ff4bbcba1
			19f563a952912a6a6bc22f57d64492aa15edd861fc6d9c6388cd35a02e01415efc375f7d460f6d609ba946ff25eb2be1
			0d2f6b72dd3ccd658d571af9f2579b41468a35869d411999685b519a7374b318e4bdcc70794c5b668a0bec4e06188a88
			9634786612e5ce52b713b07ae8e246b50002ed5c91e3a19a7e7c214f1a771eb3b22f2a19a74470ef171622dcfd4efea5
			4f60680386340d2358f68953a7e0cfcab327506d2fa91c7346127cdfbe2383a3152993046bff3b318da2ae103c90af21
			6680b7335f454da3a79de96db9602132b7fe43cb7c040943ee45241faa07c7dbe462711988af7efec7f1e90abcb5a18c
			1bf99c58359a6046f7357019aa67f8d451ed794fcec1d9a5652aa8a834b90e5561076c2aeed2f098b2b1a314e4863557
			6ae9d353f91f7330439b5030925c45c371f0e49e65f8b1ebc0ea2570fae817aa8b0c191b0cebcea6dc84d65977bc1d2d
			e121f4e96af7eac1f3473d6e090476d40f521d9bcac892bf482835b80a6c2ea766259d5fffed6277ccd31308ead6a9ac
			1c40f7f254380ab95b59fa0bbce4777f7b3fcff4248adbdf1ad1e1559b748f459ea5a90a7b4eff3461d7d55d1d334993
			82a64a261d88a3792f16f72d028eac5236c03571744bcc3194eba365b1735b52ce922d425c361674f96af9226dc9e071
			5040cdcc567bd55adb9f0b2724d3a91efbccccfa9d455fa77552d97e9c905d212c15ceb9415a1034ebb43067ab22465a
			ef02ded32e265f4a6723c2ff47fcb52536b0aa225e794c7caf5978e24bbf837644dae495109c6eb93758f134875d1331
			afb9ea66e396a6f4886947064b74354d99ec88e4c561cbc15b311b43bd8e992456509cc2080041ce2763883a465b33e4
			85ef3f44eca395cff94d1420ebbad70b67c08f9dee5d0456c376ba8eccd3e31a1d66c24aa28288a2ce46dc2a58cf3412
			242aed39e3abe7f71ee1cfaadc7c76af32a1760bf959185502bd94576dd335425dd0e92655ea19cecf6ff850dbd0fb4f
			3d8543287be326a1c0ccecb5754ca34db75cf948d143f5e1def10c3e1b279c573ed3e967e9bda19ed64bd33f5e17cc8c
			24ae0a37`),
			Server: unhex(`
			89ff000022088d4cb7400728be490891bcb1bb66266f3700409c2e1727a710d52a27e240514774a733cce987cb5c96eb
			e0bb3a59a0509e9784558b1c2d89aa493f3a3592191386d486e315ee755579ea987bc1aebb0b5ab4f0061935baabba79
			1a5cda320c03a5b8bc05d35d2ed5b5dc7a9db7d5a78e9a950654cf5c68c928534f6142f5a79c2dbec0d94384e50b79e9
			a8a5e1112d6c4ba274f78943299b5753ebfb4fc78215236e23b4dde271e3186a8da942a0252bacff000022088d4cb740
			0728be490891bcb1bb66266f37441548f8e8c4763a058d554a0cb97ad7b02285bed754c7484a5b8a753216c1645ec180
			482f29ba762151c24a08e0b8ac1233682b2d28cb4c2477854feb145cd3626f4e0b067cd840a61c7a88e560fb067b9468
			dceb69b4bbf1e246e09e973ad9ca90d67c6f0c74ff7c9296269809be8534f288955221acdc1d5b02f5e5fd677ec24005
			ff000432d1dfee067591a22ae1168fbe7e5af40ed4cea78406e6060d2844a565cc7bcabcbee0f2db842c40d7ad6ab89a
			6b8932347625e1074d872817c7f1ba226014dd4d564e11591c2ec019dd202202c81b325fffd9b9f2ba5274cf087ba0f4
			b07ecb533f904be6785cdaaa41c7d93da4da01538547a554ca231e6a3dc5f1b923ff7305047d59ee65d1cbc374a9592c
			106d4e95a53578b6858ea70cf599676ad21784354db14f7c8f3d557d3779b0596766ecb2cbb26867de1a5de447ff36b3
			7685a569778fba443ea65f7260540f764809622fb1290babc34b30fd222336deaa5752add3f14ac707e2a35590ef194d
			5f3b229056ebf35a03767cd0604eab18c62ec72d119db7d184b55db064dcf7fb69ef38484b80d5db524b8ebbfd53028f
			730278243ff54719a49f7260c3fc5029749ae8929288bbf4b7fc1e17491b66cb165137150dc5240e1b094801f49e3268
			4f6705c26e2559c339ff6ee7be772661ac43bd05c17c53d55be9b72b0b9fa64f17abf7996dea3f81248b51864eb90bbe
			d724a21c38b994bcecae9ba014aaed530f1ac9abcc74aae6ee84f66475d8b11733106cbfea3ee1967fab736e045b165c
			d31d9e8abccd315c6382eff40a8a135ea0f8be086a3751729088839b466788255435ec676c6581ee34e0146722a34fce
			9e2926438758b79e9a88cf6c20635c3afb139c5561f9ca894b91d8f7cbc2d54d8e0437b0eaaa083870d0db518a2f0c11
			655d53e94e5fea8fb7ee368fa02d6dacb2da748dad3919c562a4599bb825c1b0fd94d155afe3dba1f0277548027fa664
			d820da13af3a030b64ddde21621410dd63739e8be1569afcba16e498063e58bef2d36dec371b512019d69571593c742e
			881dfb556d66be6735de9ea58d29cab7de308efc87d453a9acf6b7b606b7cd671812f59d8395eac358eeee0984ce2f95
			18ebd61405d3cc7121832173e013cbf38a26ea9d002d4eac333f1974256acb79288e5002496b21e7f03ab55dde6490dc
			9df9fb215e914be769be637062814c267e9849f1f575d78cf665b009c6e7c455786966a05f5cfc7dca952c8e8831801b
			dfb2f4ff37523b6b997bf87891203648b25359f3e3f939ea4f6a88f0c94f0d96205ecd9788877138ecd2527643991806
			20c0031c164fac497a584442d5e54a53fa82cc289bf3f43463229711fa9b9be89af655e1d7fadb83507ffc25ddcc21d5
			cd97378abf139e87cdfb9486e8ce8f6a920d40f558ec7c274e5a8da833553151ad94b62c3deecb3099c0a06108d9a292
			ad065168`)},
		want: expect{"quic", High, FromClient},
		ev:   "\xc6\xff\x00\x00\"",
	},
	{
		// ndpi__quic_frags_different_dcid.pcapng frame 1, 2
		name: "quic v1",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			c20000000108ac49898ddc4590e8000044d0e9cb3a09cab5a4d10430d26e3416fd96eefd7418f504757bfc769bf65a38
			ee9e50121a803a41326c05a59cefd45236f8354f8f919897d6946ccd7743eac055526782521d82a4c03861e138409bb0
			7048c38ec73de90f0b6a0d94af676042eb7d797fa9bd55a17a6d34330ccff899eeadb90e62b8efd1b5c6f1402307d59d
			0c97eeb59d771299358323b2214a1a730fe3288ecedf7424aee6723bd5b51900824e52fd17747be150a6ef5922f96395
			0f830e53ca6fd0bc8d195ab2128f1e8e14c19860a8170b36d3464bea491f59883aeb3fac88054d9aa6fabca3f91351c4
			259db3e42358145a93fb45955e8615c670f7e19cb3cac1490581b2a1093aa2310964af730dd3e581423c319174a84fd2
			870ae024ebc01b6a616c79797fa2ec92e6ede49e09f5ce1090ccde7b625df31f47ac25b7d77ab9cf4186b0284bfbc1e3
			328c5c2168a0af3e182b91b0cb241a1b5be4c21d45e2013cf8879a0a4c24392a50bef6896ca79c37f10d9a0394006531
			972436e7a44d55a59effcf9876adba10657b31faeb0dd5a46581ccf4f4227185bd8bf0c0bd74d711f147c139a302e531
			1cfbcf4f773329839bf979429dedaac60a40506d7f6cb495f5cc9ad3d41fbf01e7f0820eca7235d3d26a0a1bc67e5ae6
			79505c80a9b8f6c167dc109f9ad70e1083430b038c6d27488ba8033181c0d9ef50b0e183a8c358e0eaeda0a6aa634cd8
			f0124f6308a26e6dbe39ac582df4a5e726399d5dc30d5fbf3a669465a78e2d3c64aa0ccd6dc186cbe10a314c2e04c1a2
			666d6cf8832a29b7707f8ec1fb4b90dcbf71af34f235dfd4062983c32cf3082e435535a94a4a1a18f75850be542cf0cc
			64541d837832374240796404e6c0ada7224fc4cea7e5c9fa7926105eecf944b1e74121088c660fadf18272d027f76ecd
			c6706e521ab4cedf861716361eed56099c917ea76d7da09b8db62d55e23fa804c3144f64d55bdcdb3eed318d8de6ee04
			3fb70895ecc41ddda820ea63a219c3abbc7c8d149a06b8d368e19d1fec4843ef428e8ad74e35c30ebb4bb430e80de218
			9f2c1a9a6f9b6de56c511c99691fc310c26993232cd260d7c040d31af036a954cc638fd33deaf0910181980ea4188b1a
			55d8d2d4b4592dc7a1533fe26d6b74eaf8800a56154e6e37dfc136f3e143d1d780dfba8dd2e5bc5d0211f0d889cc42b3
			58ddc5a04c640a45a21eab20e257ef25ab12f1f2b2d2bd08bdd22d01d2ac7e7d1630b0670a6913ff08aa25056097c496
			62236ac7c47d32981c56206e358fc74840c0ef4b46c3cf40939cfc85f7787ca4b4628271a4ab4d9eff1a736980e6bd87
			6ec90e63075eda75db650754494b326f7d1d6586967456df0f52e1bb9b654611e3a1b37dd34f141ac47ce6609527cdc6
			8b5af5d6f26051812f190cd2132f40e754954a1c43109e75ad3b636fdf95f702824202c9f6e62c920e8670018da3137c
			7260b2d327ec6c68ac0fcf885151a531d21fd81d428bf163a6ee88f5871478f68ce80969c85c683520f088b9db1dea3a
			9a5f8c9f675ca044b99d891cc5cacfc19dec17f1bbce3e00db153d7a7eeded57c9ca4ab31db01daa1f1d44993e3976e8
			5fb88c6b133c0b67e76e20d4d3f4bb8c6cca06575fe704c05945cad3153821e9e2cc23b5b150deadb4536a641bd29a4b
			4faabbd7682f9005fd6d12bc2240c0923dd66caa1e836405eed217bc9a0f08a3fe7c2d582bc8b25632cc4635692bd675
			7555`),
			Server: unhex(`
			c70000000100140164bccb0bceb2de8f64afc9a9cea6a36437ab44004016e696f72254fd6f27064989382e33beb5836f
			47618b310000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000`)},
		want: expect{"quic", High, FromClient},
		ev:   "\xc2\x00\x00\x00\x01",
	},
	// Other protocols: every detector rejects them.
	{
		// tcpdump__pptp.pcap: Start-Control-Connection request and reply;
		// client frame 5 (64 bytes), server frame 8 (64 bytes).
		name: "pptp",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			009c00011a2b3c4d00010000010000000000000100000001000008700000000000000000000000000000000000000000
			00000000000000000000000000000000`),
			Server: unhex(`
			009c00011a2b3c4d00020000010001000000000000000000000100016c6f63616c000000000000000000000000000000
			00000000000000000000000000000000`)},
	},
	{
		// gopacket__test202.pcapng: BOOTP request and reply (snaplen-cut);
		// client frame 2 (54 bytes), server frame 3 (54 bytes).
		name: "dhcp",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0101060000003d1d0000000000000000000000000000000000000000000b8201fc420000000000000000000000000000
			000000000000`),
			Server: unhex(`
			0201060000003d1d0000000000000000c0a8000ac0a8000100000000000b8201fc420000000000000000000000000000
			000000000000`)},
	},
	{
		// gopacket__test202.pcapng: Dropbox LAN sync JSON broadcast;
		// client frame 4 (136 bytes).
		name: "db-lsp-disc",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			7b22686f73745f696e74223a20343039343531343438332c202276657273696f6e223a205b312c20385d2c2022646973
			706c61796e616d65223a2022222c2022706f7274223a2031373530302c20226e616d65737061636573223a205b323035
			32343235372c203633393533393037322c203633393533393333372c203633393533393535355d7d`),
			Server: unhex("")},
	},
	{
		// tcpdump__pptp.pcap frame 5, 8: the whole 156-byte messages
		name: "pptp whole messages",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: unhex(`
			009c00011a2b3c4d00010000010000000000000100000001000008700000000000000000000000000000000000000000
			00000000000000000000000000000000000000000000000000000000000000000000000000000000000000004d696372
			6f736f66742057696e646f7773204e540000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000`),
			Server: unhex(`
			009c00011a2b3c4d00020000010001000000000000000000000100016c6f63616c000000000000000000000000000000
			00000000000000000000000000000000000000000000000000000000000000000000000000000000000000004d6f7265
			746f6e426179000000000000000000000000000000000000000000000000000000000000000000000000000000000000
			000000000000000000000000`)},
	},
	{
		// gopacket__test202.pcapng frame 4
		name: "dropbox lan sync",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			7b22686f73745f696e74223a20343039343531343438332c202276657273696f6e223a205b312c20385d2c2022646973
			706c61796e616d65223a2022222c2022706f7274223a2031373530302c20226e616d65737061636573223a205b323035
			32343235372c203633393533393037322c203633393533393333372c203633393533393535355d7d`)},
	},
	{
		// gopacket__test202.pcapng frame 2
		name: "bootp cut by snaplen before the dhcp cookie",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: unhex(`
			0101060000003d1d0000000000000000000000000000000000000000000b8201fc420000000000000000000000000000
			000000000000`)},
	},
}
