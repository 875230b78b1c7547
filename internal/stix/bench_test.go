package stix

import "testing"

// The benchmarks measure, they assert nothing (see BENCHMARKS.md):
//
//	go test -run '^$' -bench . -benchmem ./internal/stix/

const benchPattern = `([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ` +
	`ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY ` +
	`[domain-name:value = 'example.com' AND domain-name:resolves_to_refs[*].value ISSUBSET '198.51.100.0/24']) ` +
	`WITHIN 600 SECONDS`

func BenchmarkParsePattern(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePattern(benchPattern); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseIndicator(b *testing.B) {
	raw := []byte(indicatorJSON)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPatternString(b *testing.B) {
	p, err := ParsePattern(benchPattern)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.String()
	}
}

func BenchmarkNormaliseObservable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NormaliseObservable("", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"); err != nil {
			b.Fatal(err)
		}
	}
}
