package csaf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The folders of the provider, one per TLP label, widest first.
var Folders = []string{"white", "green", "amber", "red"}

// WellKnown is the path of the provider below the site root.
const WellKnown = "/.well-known/csaf"

// schemaURL is the JSON schema a ROLIE entry's format names.
const schemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"

// rolieInformationType is the ROLIE category scheme of the information type.
const rolieInformationType = "urn:ietf:params:rolie:category:information-type"

// Entry is one document as the listings name it.
type Entry struct {
	TrackingID string
	Title      string
	Summary    string
	Folder     string    // "white", "green", …
	Year       int       // of the initial release: the directory
	FileName   string    // "vb-2026-0042.json"
	Initial    time.Time // initial release date
	Current    time.Time // current release date
	Vendors    []string
}

// EntryOf returns the listing entry of doc in folder.
func EntryOf(doc *Document, folder string) Entry {
	t := &doc.Document.Tracking
	initial, _ := time.Parse(time.RFC3339, t.InitialReleaseDate)
	current, _ := time.Parse(time.RFC3339, t.CurrentReleaseDate)
	e := Entry{TrackingID: t.ID, Title: doc.Document.Title, Folder: folder, Year: initial.Year(),
		FileName: FileName(t.ID), Initial: initial, Current: current}
	for _, n := range doc.Document.Notes {
		if n.Category == "summary" {
			e.Summary = n.Text
			break
		}
	}
	if doc.ProductTree != nil {
		for _, b := range doc.ProductTree.Branches {
			if b.Category == "vendor" {
				e.Vendors = append(e.Vendors, b.Name)
			}
		}
	}
	return e
}

// Rel returns the entry's path relative to its folder: "2026/vb-2026-0042.json".
func (e Entry) Rel() string { return fmt.Sprintf("%d/%s", e.Year, e.FileName) }

// URL returns the entry's absolute URL under base.
func (e Entry) URL(base string) string { return FolderURL(base, e.Folder) + e.Rel() }

// FolderURL returns the URL of a folder, with trailing slash.
func FolderURL(base, folder string) string { return base + WellKnown + "/" + folder + "/" }

// FeedURL returns the URL of the ROLIE feed of folder.
func FeedURL(base, folder string) string {
	return FolderURL(base, folder) + "csaf-feed-tlp-" + folder + ".json"
}

// KeyURL returns the URL of the public key with fingerprint.
func KeyURL(base, fingerprint string) string {
	return base + WellKnown + "/openpgp/" + fingerprint + ".asc"
}

// MetadataURL returns the canonical URL of the provider metadata.
func MetadataURL(base string) string { return base + WellKnown + "/provider-metadata.json" }

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func label(folder string) string { return strings.ToUpper(folder) }

// Metadata returns the provider-metadata.json of a trusted provider
// (CSAF 2.0 section 7.1.7): one distribution per TLP folder with its
// directory and ROLIE feed, the public key and the publisher. lastUpdated
// is the time of the newest change of a document.
func Metadata(p Provider, fingerprint string, lastUpdated time.Time) ([]byte, error) {
	type feed struct {
		Summary  string `json:"summary"`
		TLPLabel string `json:"tlp_label"`
		URL      string `json:"url"`
	}
	type rolie struct {
		Feeds []feed `json:"feeds"`
	}
	type distribution struct {
		DirectoryURL string `json:"directory_url"`
		ROLIE        rolie  `json:"rolie"`
	}
	type key struct {
		Fingerprint string `json:"fingerprint"`
		URL         string `json:"url"`
	}
	var ds []distribution
	for _, f := range Folders {
		ds = append(ds, distribution{DirectoryURL: FolderURL(p.BaseURL, f), ROLIE: rolie{Feeds: []feed{{
			Summary: "CSAF advisories of " + p.Name + " (TLP:" + label(f) + ")", TLPLabel: label(f), URL: FeedURL(p.BaseURL, f)}}}})
	}
	pub := Publisher{Category: p.Category, Name: p.Name, Namespace: p.Namespace, ContactDetails: p.ContactDetails}
	if pub.Category == "" {
		pub.Category = "coordinator"
	}
	if pub.Namespace == "" {
		pub.Namespace = p.BaseURL
	}
	if lastUpdated.IsZero() {
		lastUpdated = time.Unix(0, 0)
	}
	return encode(struct {
		CanonicalURL  string         `json:"canonical_url"`
		Distributions []distribution `json:"distributions"`
		LastUpdated   string         `json:"last_updated"`
		List          bool           `json:"list_on_CSAF_aggregators"`
		Version       string         `json:"metadata_version"`
		Mirror        bool           `json:"mirror_on_CSAF_aggregators"`
		Keys          []key          `json:"public_openpgp_keys"`
		Publisher     Publisher      `json:"publisher"`
		Role          string         `json:"role"`
	}{MetadataURL(p.BaseURL), ds, date(lastUpdated), true, Version, true,
		[]key{{Fingerprint: fingerprint, URL: KeyURL(p.BaseURL, fingerprint)}}, pub, "csaf_trusted_provider"})
}

// sortNewest orders entries by current release date, newest first.
func sortNewest(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int {
		if c := b.Current.Compare(a.Current); c != 0 {
			return c
		}
		return strings.Compare(a.Rel(), b.Rel())
	})
}

// Index returns index.txt of a folder (7.1.13): one path per line,
// relative to the folder.
func Index(es []Entry) []byte {
	es = slices.Clone(es)
	slices.SortFunc(es, func(a, b Entry) int { return strings.Compare(a.Rel(), b.Rel()) })
	var b bytes.Buffer
	for _, e := range es {
		b.WriteString(e.Rel() + "\n")
	}
	return b.Bytes()
}

// Changes returns changes.csv of a folder (7.1.14): the path and the
// current release date of every document, newest first, fields quoted.
func Changes(es []Entry) []byte {
	es = slices.Clone(es)
	sortNewest(es)
	var b bytes.Buffer
	for _, e := range es {
		fmt.Fprintf(&b, "%q,%q\n", e.Rel(), date(e.Current))
	}
	return b.Bytes()
}

// Feed returns the ROLIE feed of a folder (7.1.15, RFC 8322 in its JSON
// form): every entry with links to the document, its hashes and its
// signature. updated is the feed's time of change.
func Feed(base, folder string, es []Entry, updated time.Time) ([]byte, error) {
	type link struct {
		Rel  string `json:"rel"`
		HRef string `json:"href"`
	}
	type category struct {
		Scheme string `json:"scheme"`
		Term   string `json:"term"`
	}
	type summary struct {
		Content string `json:"content"`
	}
	type content struct {
		Type string `json:"type"`
		Src  string `json:"src"`
	}
	type format struct {
		Schema  string `json:"schema"`
		Version string `json:"version"`
	}
	type entry struct {
		ID        string   `json:"id"`
		Title     string   `json:"title"`
		Link      []link   `json:"link"`
		Published string   `json:"published"`
		Updated   string   `json:"updated"`
		Summary   *summary `json:"summary,omitempty"`
		Content   content  `json:"content"`
		Format    format   `json:"format"`
	}
	es = slices.Clone(es)
	sortNewest(es)
	entries := []entry{}
	for _, e := range es {
		u := e.URL(base)
		en := entry{ID: e.TrackingID, Title: e.Title, Published: date(e.Initial), Updated: date(e.Current),
			Link:    []link{{"self", u}, {"hash", u + ".sha256"}, {"hash", u + ".sha512"}, {"signature", u + ".asc"}},
			Content: content{Type: "application/json", Src: u}, Format: format{Schema: schemaURL, Version: Version}}
		if e.Summary != "" {
			en.Summary = &summary{Content: e.Summary}
		}
		entries = append(entries, en)
	}
	if len(es) > 0 && es[0].Current.After(updated) {
		updated = es[0].Current
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	var f struct {
		Feed struct {
			ID       string     `json:"id"`
			Title    string     `json:"title"`
			Link     []link     `json:"link"`
			Category []category `json:"category"`
			Updated  string     `json:"updated"`
			Entry    []entry    `json:"entry"`
		} `json:"feed"`
	}
	f.Feed.ID = "csaf-feed-tlp-" + folder
	f.Feed.Title = "CSAF feed (TLP:" + label(folder) + ")"
	f.Feed.Link = []link{{"self", FeedURL(base, folder)}}
	f.Feed.Category = []category{{rolieInformationType, "csaf"}}
	f.Feed.Updated = date(updated)
	f.Feed.Entry = entries
	return encode(f)
}

// Service returns the ROLIE service document (service.json beside the
// provider metadata), naming the feed of every folder.
func Service(base string) ([]byte, error) {
	type cat struct {
		Scheme string `json:"scheme"`
		Term   string `json:"term"`
	}
	type collection struct {
		Title      string `json:"title"`
		HRef       string `json:"href"`
		Categories struct {
			Category []cat `json:"category"`
		} `json:"categories"`
	}
	var cs []collection
	for _, f := range Folders {
		c := collection{Title: "CSAF feed (TLP:" + label(f) + ")", HRef: FeedURL(base, f)}
		c.Categories.Category = []cat{{rolieInformationType, "csaf"}}
		cs = append(cs, c)
	}
	type workspace struct {
		Title      string       `json:"title"`
		Collection []collection `json:"collection"`
	}
	var doc struct {
		Service struct {
			Workspace []workspace `json:"workspace"`
		} `json:"service"`
	}
	doc.Service.Workspace = []workspace{{Title: "CSAF feeds", Collection: cs}}
	return encode(doc)
}

// Category returns the ROLIE category document of a folder: the
// information type and the vendors the entries name.
func Category(es []Entry) ([]byte, error) {
	type cat struct {
		Scheme string `json:"scheme,omitempty"`
		Term   string `json:"term"`
	}
	cats := []cat{{rolieInformationType, "csaf"}}
	var vendors []string
	for _, e := range es {
		for _, v := range e.Vendors {
			if !slices.Contains(vendors, v) {
				vendors = append(vendors, v)
			}
		}
	}
	slices.Sort(vendors)
	for _, v := range vendors {
		cats = append(cats, cat{Term: v})
	}
	var doc struct {
		Categories struct {
			Category []cat `json:"category"`
		} `json:"categories"`
	}
	doc.Categories.Category = cats
	return encode(doc)
}

// SecurityTxt returns /.well-known/security.txt (RFC 9116) with the CSAF
// line pointing to the provider metadata (CSAF 2.0 7.1.8).
func SecurityTxt(base, contact string, expires time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Contact: %s\n", contact)
	fmt.Fprintf(&b, "Expires: %s\n", expires.UTC().Truncate(time.Second).Format(time.RFC3339))
	fmt.Fprintf(&b, "Canonical: %s/.well-known/security.txt\n", base)
	fmt.Fprintf(&b, "Preferred-Languages: de, nl, en\n")
	fmt.Fprintf(&b, "CSAF: %s\n", MetadataURL(base))
	return b.Bytes()
}

// Ref names a published or withdrawn warning by its id and tracking id.
type Ref struct {
	WarningID  string
	TrackingID string
}

// Refs lists the published and withdrawn warnings, without their content,
// for finding a document by its file name.
type Refs interface {
	PublishedRefs(ctx context.Context) ([]Ref, error)
}
