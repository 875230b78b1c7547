package client

import (
	"context"
	"encoding/json"
	"time"

	"github.com/verbund/verbund/internal/federation"
)

// Connector returns the federation's way to reach remotes with clients
// made from o: it finds the API root behind each remote's URL, and a push
// polls the status every poll until it is complete or wait has passed.
func Connector(o Options, poll, wait time.Duration) federation.Connector {
	return func(ctx context.Context, e federation.Endpoint) (federation.Peer, error) {
		opts := o
		opts.Auth = Auth{Kind: AuthKind(e.Auth), Username: e.Username, Secret: e.Secret}
		c := New(opts)
		root, err := c.ResolveRoot(ctx, e.URL)
		if err != nil {
			return nil, err
		}
		return &peer{c: c, root: root, collection: e.Collection, poll: poll, wait: wait}, nil
	}
}

// peer is one remote collection.
type peer struct {
	c          *Client
	root       string
	collection string
	poll, wait time.Duration
}

// Pull returns one page of the objects added after addedAfter.
func (p *peer) Pull(ctx context.Context, addedAfter, next string, limit int) (federation.PulledPage, error) {
	pg, err := p.c.Objects(ctx, p.root, p.collection, Query{AddedAfter: addedAfter, Next: next, Limit: limit})
	if err != nil {
		return federation.PulledPage{}, err
	}
	return federation.PulledPage{Objects: pg.Items, More: pg.More, Next: pg.Next, DateAddedLast: pg.DateAddedLast}, nil
}

// Push adds objects and waits for the remote to complete the addition.
func (p *peer) Push(ctx context.Context, objects []json.RawMessage) (federation.Pushed, error) {
	st, err := p.c.Add(ctx, p.root, p.collection, objects)
	if err != nil {
		return federation.Pushed{}, err
	}
	if st.Status != "complete" {
		wctx, cancel := context.WithTimeout(ctx, p.wait)
		defer cancel()
		st, err = p.c.Wait(wctx, p.root, st, p.poll)
		if err != nil && ctx.Err() != nil {
			return federation.Pushed{}, err
		}
		if err != nil && wctx.Err() == nil {
			return federation.Pushed{}, err
		}
	}
	out := federation.Pushed{Complete: st.Status == "complete", Successes: st.SuccessCount}
	for _, f := range st.Failures {
		out.Failures = append(out.Failures, federation.Rejected{ID: f.ID, Version: f.Version, Message: f.Message})
	}
	return out, nil
}
