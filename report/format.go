package report

import (
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"
)

// rfc3339Nine is RFC 3339 with exactly nine fractional digits, so that
// timestamps sort as text and line up in columns.
const rfc3339Nine = "2006-01-02T15:04:05.000000000Z07:00"

// appendTime appends t in UTC as rfc3339Nine. It formats by hand because
// it runs twice per record; years outside 0..9999 take the slow path.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, rfc3339Nine)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, uint64(year), 4)
	b = append(b, '-')
	b = append2(b, int(month))
	b = append(b, '-')
	b = append2(b, day)
	b = append(b, 'T')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, minute)
	b = append(b, ':')
	b = append2(b, sec)
	b = append(b, '.')
	b = appendDigits(b, uint64(t.Nanosecond()), 9)
	return append(b, 'Z')
}

// appendDigits appends v zero-padded to n digits (v must fit in n digits).
func appendDigits(b []byte, v uint64, n int) []byte {
	start := len(b)
	b = append(b, "00000000000000000000"[:n]...)
	d := b[start:]
	i := len(d) - 1
	for ; v >= 10 && i >= 1; i -= 2 {
		q := v / 100
		j := (v - q*100) * 2
		d[i], d[i-1] = digitPairs[j+1], digitPairs[j]
		v = q
	}
	if i >= 0 {
		d[i] = byte('0' + v%10)
	}
	return b
}

// append2 appends v (0..99) as two digits.
func append2(b []byte, v int) []byte {
	return append(b, digitPairs[v*2], digitPairs[v*2+1])
}

const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendSeconds appends d as decimal seconds with up to nine fractional
// digits, trailing zeros trimmed and never an exponent (3.157831, 0, 12).
func appendSeconds(b []byte, d time.Duration) []byte {
	u := uint64(d)
	if d < 0 {
		b = append(b, '-')
		u = -u // two's complement: also right for math.MinInt64
	}
	b = strconv.AppendUint(b, u/1e9, 10)
	frac := u % 1e9
	if frac == 0 {
		return b
	}
	var tmp [10]byte
	tmp[0] = '.'
	for i := 9; i >= 1; i-- {
		tmp[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := len(tmp)
	for tmp[n-1] == '0' {
		n--
	}
	return append(b, tmp[:n]...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a quoted JSON string. Invalid UTF-8 becomes
// U+FFFD and U+2028/U+2029 are escaped, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// byteUnits are decimal (SI) prefixes: 1k = 1000 bytes, as network
// tools count, not 1024.
var byteUnits = [...]byte{'k', 'M', 'G', 'T', 'P', 'E'}

// appendHumanBytes formats n with a decimal unit and about three
// significant digits: 512, 1.5k, 12.3M, 123M, 1.1G.
func appendHumanBytes(b []byte, n uint64) []byte {
	if n < 1000 {
		return strconv.AppendUint(b, n, 10)
	}
	unit := uint64(1000)
	for i, suffix := range byteUnits {
		// Integer rounding (128-bit, so n*10 cannot overflow) keeps the
		// unit switch exact: 999_950 is 1.0M, never 1000k.
		hi, lo := bits.Mul64(n, 10)
		lo, carry := bits.Add64(lo, unit/2, 0)
		tenths, _ := bits.Div64(hi+carry, lo, unit)
		if tenths < 1000 {
			b = strconv.AppendUint(b, tenths/10, 10)
			b = append(b, '.', byte('0'+tenths%10))
			return append(b, suffix)
		}
		lo, carry = bits.Add64(n, unit/2, 0)
		whole, _ := bits.Div64(carry, lo, unit)
		if whole < 1000 || i == len(byteUnits)-1 {
			b = strconv.AppendUint(b, whole, 10)
			return append(b, suffix)
		}
		unit *= 1000
	}
	return b // unreachable: the last unit always returns
}

// HumanDuration formats d compactly for tables: 0s, 589µs, 850ms, 3.16s,
// 42.5s, 2m05s, 1h02m. Each unit rounds, and rolls into the next when
// rounding reaches it (999.6ms is 1.00s).
func HumanDuration(d time.Duration) string { return string(appendHumanDuration(nil, d)) }

func appendHumanDuration(b []byte, d time.Duration) []byte {
	if d == 0 {
		return append(b, '0', 's')
	}
	u := uint64(d)
	if d < 0 {
		b = append(b, '-')
		u = -u
	}
	const (
		us     = uint64(time.Microsecond)
		ms     = uint64(time.Millisecond)
		sec    = uint64(time.Second)
		minute = uint64(time.Minute)
	)
	switch {
	case u < us:
		b = strconv.AppendUint(b, u, 10)
		return append(b, "ns"...)
	case u < ms && (u+us/2)/us < 1000:
		b = strconv.AppendUint(b, (u+us/2)/us, 10)
		return append(b, "µs"...)
	case u < sec && (u+ms/2)/ms < 1000:
		b = strconv.AppendUint(b, (u+ms/2)/ms, 10)
		return append(b, "ms"...)
	}
	if c := (u + sec/200) / (sec / 100); c < 1000 {
		b = strconv.AppendUint(b, c/100, 10)
		b = append(b, '.')
		b = appendDigits(b, c%100, 2)
		return append(b, 's')
	}
	if t := (u + sec/20) / (sec / 10); t < 600 {
		b = strconv.AppendUint(b, t/10, 10)
		b = append(b, '.', byte('0'+t%10), 's')
		return b
	}
	if s := (u + sec/2) / sec; s < 3600 {
		b = strconv.AppendUint(b, s/60, 10)
		b = append(b, 'm')
		b = appendDigits(b, s%60, 2)
		return append(b, 's')
	}
	m := (u + minute/2) / minute
	b = strconv.AppendUint(b, m/60, 10)
	b = append(b, 'h')
	b = appendDigits(b, m%60, 2)
	return append(b, 'm')
}
