package main

import (
	"bytes"
	"strings"
	"testing"
)

// A tiny run of the bench prints the table to paste into BENCHMARKS.md,
// and the reader who sees half the objects pages through exactly half.
func TestBenchSmall(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(t.Context(), []string{"bench", "--objects", "1000", "--lookups", "300", "--gets", "20", "--clients", "2"}, noEnv, nil, &out, &errs)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, errs.String())
	}
	s := out.String()
	for _, want := range []string{
		"| measurement | result |",
		"| TAXII ingest, envelopes of 100, 2 clients | ", "(100 objects in ",
		"| TAXII ingest, envelopes of 1000, 2 clients | ", "(900 objects in ",
		"sees half of them", "(500 objects, 1 pages in ",
		"| TAXII get object by id | p50 ", "(20 requests, ",
		"| Batch lookups, 10,000 values per request | ", "(300 values in ",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the report lacks %q:\n%s", want, s)
		}
	}
}

func TestBenchRefusesOtherHosts(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--url", "https://verbund.example.org", "--token", "x"},
		{"bench", "--url", "http://127.0.0.1:8080"},
		{"bench", "--objects", "5"},
		{"bench", "--bench-db", "postgres://db.example.org/verbund"},
	} {
		var out, errs bytes.Buffer
		err := run(t.Context(), args, noEnv, nil, &out, &errs)
		if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
