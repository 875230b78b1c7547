// Package cti keeps the collections of STIX 2.1 objects that Verbund serves
// over TAXII 2.1, and holds the rules of who may read and add to them. It
// knows no HTTP and no SQL: the taxii package is its transport, the store
// package its storage.
//
// # Collections
//
// A [Collection] belongs to an organisation (the office or a member) and
// carries a default marking: the TLP level of objects that name none, and
// the audience and flags of every object added to it. Who may do what,
// decided per viewer by [Service.Access]:
//
//   - can_read: the sharing policy allows the viewer to see an object of
//     kind "stix" owned by the collection's owner with the collection's
//     default marking. The policy alone decides: the owner reads its own
//     collections, a TLP:GREEN community collection is read by every active
//     member that accepted the agreement, an AMBER collection for the energy
//     sector by its members; a token needs intel:read (policy.KindSTIX).
//   - can_write: the principal holds intel:write (users in a session hold
//     every scope), its organisation is active, and either it owns the
//     collection or the collection is marked ReadersWrite and the viewer
//     can read it. So members publish into their own collections, the office
//     into the office's, and a ReadersWrite collection is a shared channel
//     every reader contributes to.
//
// Collections a viewer can neither read nor write are not shown to it at
// all; the transport answers as if they did not exist.
//
// # Versions and markings
//
// Every object is stored per version ([Version]): its id, its version (the
// modified timestamp, else created, else — for SCOs, which carry neither —
// the time it was added), its raw JSON byte for byte, and a marking of its
// own in object_markings (kind policy.KindSTIX, id [MarkingID]). The marking
// is the collection's default with the TLP level the object names in its
// object_marking_refs or granular_markings, if any (the most restrictive;
// contradicting levels are refused), and of the collection's audience the
// parts that count at that level: AMBER not to the community, AMBER+STRICT
// to the organisations and users named, RED to the users named. An object
// whose level leaves nobody of the audience (TLP:AMBER in a community
// collection, TLP:RED without named users) is refused with that reason: a
// collection never widens or guesses an audience. The organisation that
// added a version owns it.
//
// Every version returned passes the sharing door: [Service.Page] decides
// each candidate the store returns with the viewer built once per request.
// The version selection of TAXII (first, last) is taken among the versions
// the viewer may see, so each viewer gets the newest version meant for it.
//
// # Order
//
// Each collection numbers what is added to it: seq and date_added (server
// time, microseconds) both strictly increase, and are taken under the
// collection's lock in the transaction that adds the objects, so that the
// order of seq is the order in which additions become visible. A listing
// that resumes after a seq therefore never skips or repeats an object,
// however many are added while a client pages.
package cti
