package server

import "net/http"

// addCSAFRoutes adds the CSAF 2.0 trusted provider (csaf.go): the provider
// metadata, the folders per TLP label and year with hashes and signatures,
// index.txt, changes.csv, the ROLIE feeds, the public key and security.txt.
// TLP:CLEAR documents are public; the others need a session or a token with
// warnings:read, and the sharing door decides each.
func (s *Server) addCSAFRoutes(mux *http.ServeMux) {
	s.api(mux, "GET /.well-known/security.txt", csafRead, s.handleSecurityTxt())
	s.api(mux, "GET /.well-known/csaf/provider-metadata.json", csafRead, s.handleCSAFMetadata())
	s.api(mux, "GET /.well-known/csaf/service.json", csafRead, s.handleCSAFService())
	s.api(mux, "GET /.well-known/csaf/openpgp/{key}", csafRead, s.handleCSAFKey())
	s.api(mux, "GET /.well-known/csaf/{tlp}/", csafRead, s.handleCSAFListing())
	s.api(mux, "GET /.well-known/csaf/{tlp}/{year}/", csafRead, s.handleCSAFListing())
	s.api(mux, "GET /.well-known/csaf/{tlp}/{file}", csafRead, s.handleCSAFFolder())
	s.api(mux, "GET /.well-known/csaf/{tlp}/{year}/{file}", csafRead, s.handleCSAFDocument())
}
