// Package stix reads STIX 2.1 objects and STIX patterns as the OASIS
// specification defines them, so that the tools of member organisations can
// talk to Verbund without translation.
//
// The package validates; it does not model every STIX type. [Parse] keeps the
// JSON of an object verbatim and checks the common properties of every object
// and the rules of the types Verbund reads (indicator, sighting, relationship,
// malware, vulnerability, identity, report, observed-data, marking-definition).
// Unknown types and custom properties pass with their naming checked, because
// STIX lets producers extend it and a consumer must keep what it does not know.
//
// [ParsePattern] parses the STIX Patterning language (STIX 2.1 section 9) into
// an AST whose String method prints a canonical form; [Pattern.Observables]
// extracts the equality comparisons that can be looked up (addresses, domains,
// URLs, e-mail addresses, file hashes); [NormaliseObservable] reads the same
// values typed by a person. [TLPOf] derives the Traffic Light Protocol level
// of an object from its marking references.
//
// Every validation error is a *verbund.Error of kind Invalid whose Fields map
// a JSON path ("external_references[0].url", "objects[2].pattern") to the
// problem; pattern errors are a *PatternError with line and column.
//
// References in comments are to "STIX Version 2.1", OASIS Standard, 10 June
// 2021, and to the OASIS TLP 2.0 marking-definition extension
// (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d).
package stix
