// Package taxii serves the collections of package cti over TAXII 2.1
// (OASIS Standard, 10 June 2021), so that the TAXII clients of member
// organisations read and add STIX 2.1 objects without translation.
//
// [New] returns one http.Handler for the whole surface below its path
// (default /taxii2/), with one API root (default /taxii2/api/):
//
//	GET    /taxii2/                                        discovery
//	GET    /taxii2/api/                                    API root information
//	GET    /taxii2/api/status/{id}/                        status of an addition
//	GET    /taxii2/api/collections/                        collections
//	GET    /taxii2/api/collections/{id}/                   one collection
//	GET    /taxii2/api/collections/{id}/manifest/          manifest
//	GET    /taxii2/api/collections/{id}/objects/           objects
//	POST   /taxii2/api/collections/{id}/objects/           add objects
//	GET    /taxii2/api/collections/{id}/objects/{oid}/     one object
//	DELETE /taxii2/api/collections/{id}/objects/{oid}/     delete an object
//	GET    /taxii2/api/collections/{id}/objects/{oid}/versions/  its versions
//
// Every response is application/taxii+json;version=2.1; a request whose
// Accept header admits no such type is answered 406, a POST whose body is
// not of that type 415, a body over MaxContentLength or with more than
// MaxObjects objects 413. Errors are TAXII error messages with title,
// description, error_id, error_code, http_status (a string, as TAXII 2.1
// has it) and details.
//
// # Authentication and access
//
// The caller is resolved by Deps.Principal, which the server that mounts
// the handler provides (sessions, API tokens, HTTP Basic with a token as
// password). Every endpoint needs an authenticated principal; without one
// the answer is 401 with WWW-Authenticate challenges for Basic and Bearer.
// Tokens need intel:read to GET (the status of an addition also with
// intel:write alone) and intel:write to POST and DELETE.
//
// Collections a viewer can neither read nor write are not listed and
// answer 404, as if they did not exist; a listed collection answers 403
// to reading when can_read is false and to adding when can_write is false.
// The rule of can_read and can_write is cti's (see its package doc). Every
// object returned passed the sharing door: the viewer is built once per
// request and every page is decided version by version.
//
// # Filters and versions
//
// Listings take match[id], match[type], match[version] and
// match[spec_version] where TAXII gives them to the endpoint, each at most
// once, with values separated by commas; a match field the endpoint does
// not take is answered 400 rather than silently ignored, so that a client
// never mistakes an unfiltered answer for a filtered one. match[version]
// defaults to last; first and last are taken among the versions the viewer
// may see, so that each organisation gets the newest version meant for it.
// A version is the object's modified timestamp, else created, else (SCOs)
// the date it was added. DELETE without match[version] deletes every
// version the caller may delete (those its organisation added, or all in
// its own collection).
//
// # Pagination
//
// Listings are ordered by date_added. limit asks for at most that
// many records (capped at MaxLimit); more says whether there is more, and
// next is an opaque cursor to pass back with the same query. The cursor
// carries the position (seq and date_added) of the last record decided and
// is bound by an HMAC to the query, its endpoint, collection and object and
// the principal: a cursor of another query or principal, a tampered one or
// one signed with another key is answered 400. Because positions are taken
// in commit order, a client paging while others add objects sees every
// object that existed when it started exactly once.
package taxii
