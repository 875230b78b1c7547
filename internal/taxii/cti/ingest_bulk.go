package cti

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// Ingest at speed. Most objects of an envelope are new to the collection:
// their id appears once in the request and nowhere in the collection. Such
// an object needs no comparison with stored versions and is the latest and
// earliest version of itself, so Add stores all of them in a few
// multi-row statements (BulkTx). Every other object (a new version of a
// stored object, an id repeated in the request) takes the path of one
// object at a time, addOne, with the same outcome as before.

// BulkTx is what Add stores the new objects of a request with. The store's
// transaction implements it beside Tx; Add stores one object at a time
// when a Tx does not.
type BulkTx interface {
	// STIXStored returns which of ids have a version in collection.
	STIXStored(ctx context.Context, collection string, ids []string) (map[string]bool, error)
	// InsertSTIXNew stores the versions, of objects with no other version
	// in their collection, with their markings (unless MarkingStored) and
	// observables.
	InsertSTIXNew(ctx context.Context, vs []NewVersion) error
}

// NewVersion is the first version of an object in its collection, as Add
// hands it to BulkTx.InsertSTIXNew.
type NewVersion struct {
	Version
	// MarkingStored says that the marking is stored already
	// (designation.SaveMarking checked and stored it).
	MarkingStored bool
	Observables   []stix.Observable
}

// prepareAll runs prepare on every object, spread over the processors:
// parsing is most of the work of a request outside the database.
func prepareAll(objects []json.RawMessage, c *Collection, owner, createdBy string) ([]item, []string) {
	items := make([]item, len(objects))
	fails := make([]string, len(objects))
	workers := min(runtime.GOMAXPROCS(0), max(len(objects)/64, 1))
	if workers <= 1 {
		for i, raw := range objects {
			items[i], fails[i] = prepare(raw, c, owner, createdBy)
		}
		return items, fails
	}
	var wg sync.WaitGroup
	per := (len(objects) + workers - 1) / workers
	for start := 0; start < len(objects); start += per {
		end := min(start+per, len(objects))
		wg.Go(func() {
			for i := start; i < end; i++ {
				items[i], fails[i] = prepare(objects[i], c, owner, createdBy)
			}
		})
	}
	wg.Wait()
	return items, fails
}

// freshItems returns the indexes of the items whose id appears once among
// items and has no version stored in c.
func freshItems(ctx context.Context, bt BulkTx, c *Collection, items []item) (map[int]bool, error) {
	seen := make(map[string]int, len(items))
	for _, it := range items {
		seen[it.obj.ID]++
	}
	ids := make([]string, 0, len(seen))
	for id, n := range seen {
		if n == 1 {
			ids = append(ids, id)
		}
	}
	stored, err := bt.STIXStored(ctx, c.ID, ids)
	if err != nil {
		return nil, err
	}
	fresh := make(map[int]bool, len(ids))
	for k, it := range items {
		if seen[it.obj.ID] == 1 && !stored[it.obj.ID] {
			fresh[k] = true
		}
	}
	return fresh, nil
}

// newVersion prepares the first version of an object new to c at pos, as
// addOne would store it. Its marking is checked and stored by
// designation.SaveMarking when no marking of its level has been in this
// request; fail says why the object is refused.
func newVersion(ctx context.Context, tx Tx, c *Collection, it item, pos Position, owner string, checked map[policy.TLP]bool) (nv NewVersion, d StatusDetail, fail string, err error) {
	obj := &it.obj
	d = StatusDetail{ID: obj.ID}
	version := it.version
	if version.IsZero() {
		version = pos.DateAdded
	}
	d.Version = FormatTimestamp(version)
	nv = NewVersion{Version: Version{Collection: c.ID, Seq: pos.Seq, DateAdded: pos.DateAdded, ID: obj.ID, Type: obj.Type,
		SpecVersion: obj.SpecVersion, Version: version, Latest: true, Earliest: true, Raw: obj.Raw,
		Marked: designation.Marked{Kind: policy.KindSTIX, ObjectID: MarkingID(c.ID, obj.ID, version),
			OwnerOrg: owner, CreatedBy: it.createdBy, Marking: it.marking}}, Observables: it.obs}
	if nv.SpecVersion == "" {
		nv.SpecVersion = SpecVersion
	}
	if !checked[it.marking.TLP] {
		err = designation.SaveMarking(ctx, tx, nv.Marked.Kind, nv.Marked.ObjectID, owner, it.createdBy, it.marking)
		if verbund.IsKind(err, verbund.Invalid) {
			return nv, d, describe("the object's marking cannot be stored", err), nil
		}
		if err != nil {
			return nv, d, "", err
		}
		checked[it.marking.TLP], nv.MarkingStored = true, true
	}
	return nv, d, "", nil
}
