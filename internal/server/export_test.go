package server

import "net/http"

// NewServer is New, also returning the *Server, so that tests can read its
// route table.
func NewServer(cfg Config, deps Deps) (*Server, http.Handler, error) { return newServer(cfg, deps) }
