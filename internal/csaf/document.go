// Package csaf turns published warnings into CSAF 2.0 documents of the
// profile csaf_security_advisory (OASIS CSAF 2.0, section 4.5), reads CSAF
// 2.0 documents of other providers into the fields of a warning, and lays
// out what a CSAF trusted provider publishes (section 7): the provider
// metadata, the directory per TLP label and year, index.txt, changes.csv
// and the ROLIE feeds.
//
// It knows nothing of HTTP or storage: the server decides through the
// sharing door which documents a viewer may have, and this package only
// writes them.
package csaf

// The CSAF 2.0 document, as far as Verbund writes and reads it. Field names
// and nesting follow the JSON schema of CSAF 2.0
// (https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json);
// optional parts are omitted when empty.

// Document is a CSAF 2.0 document.
type Document struct {
	Document        Meta            `json:"document"`
	ProductTree     *ProductTree    `json:"product_tree,omitempty"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities,omitempty"`
}

// Meta is the document-level meta data (section 3.2.1).
type Meta struct {
	Category     string       `json:"category"`
	CSAFVersion  string       `json:"csaf_version"`
	Distribution Distribution `json:"distribution"`
	Lang         string       `json:"lang,omitempty"`
	Notes        []Note       `json:"notes,omitempty"`
	Publisher    Publisher    `json:"publisher"`
	References   []Reference  `json:"references,omitempty"`
	SourceLang   string       `json:"source_lang,omitempty"`
	Title        string       `json:"title"`
	Tracking     Tracking     `json:"tracking"`
}

// Distribution says how the document may be shared (3.2.1.5).
type Distribution struct {
	Text string `json:"text,omitempty"`
	TLP  *TLP   `json:"tlp,omitempty"`
}

// TLP is the TLP 1.0 label CSAF 2.0 knows, with the URL defining it.
type TLP struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

// Note is a piece of text with its category (3.1.6).
type Note struct {
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
	Audience string `json:"audience,omitempty"`
}

// Publisher names who issued the document (3.2.1.8).
type Publisher struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

// Reference points to a resource on the document or a vulnerability
// (3.1.8).
type Reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// Tracking holds what identifies the document and its history (3.2.1.12).
type Tracking struct {
	CurrentReleaseDate string     `json:"current_release_date"`
	Generator          *Generator `json:"generator,omitempty"`
	ID                 string     `json:"id"`
	InitialReleaseDate string     `json:"initial_release_date"`
	RevisionHistory    []Revision `json:"revision_history"`
	Status             string     `json:"status"`
	Version            string     `json:"version"`
}

// Generator names the tool that wrote the document.
type Generator struct {
	Date   string `json:"date,omitempty"`
	Engine Engine `json:"engine"`
}

// Engine is the generating software.
type Engine struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Revision is one entry of the revision history.
type Revision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

// ProductTree lists the products the document speaks of (3.2.2).
type ProductTree struct {
	Branches []Branch `json:"branches,omitempty"`
}

// Branch is one level of the product tree: vendor, product_name,
// product_version or product_version_range.
type Branch struct {
	Branches []Branch         `json:"branches,omitempty"`
	Category string           `json:"category"`
	Name     string           `json:"name"`
	Product  *FullProductName `json:"product,omitempty"`
}

// FullProductName is a leaf of the product tree with its id.
type FullProductName struct {
	Name      string  `json:"name"`
	ProductID string  `json:"product_id"`
	Helper    *Helper `json:"product_identification_helper,omitempty"`
}

// Helper identifies a product for machines.
type Helper struct {
	CPE  string `json:"cpe,omitempty"`
	PURL string `json:"purl,omitempty"`
}

// Vulnerability is one vulnerability the document speaks of (3.2.3).
type Vulnerability struct {
	CVE           string         `json:"cve,omitempty"`
	Notes         []Note         `json:"notes,omitempty"`
	ProductStatus *ProductStatus `json:"product_status,omitempty"`
	References    []Reference    `json:"references,omitempty"`
	Remediations  []Remediation  `json:"remediations,omitempty"`
	Scores        []Score        `json:"scores,omitempty"`
	Title         string         `json:"title,omitempty"`
}

// ProductStatus sorts the products by how the vulnerability touches them.
type ProductStatus struct {
	FirstAffected      []string `json:"first_affected,omitempty"`
	FirstFixed         []string `json:"first_fixed,omitempty"`
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	LastAffected       []string `json:"last_affected,omitempty"`
	Recommended        []string `json:"recommended,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

// Remediation says what to do about a vulnerability.
type Remediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids,omitempty"`
	URL        string   `json:"url,omitempty"`
}

// Score is a CVSS score for some products.
type Score struct {
	CVSSv3   *CVSSv3  `json:"cvss_v3,omitempty"`
	Products []string `json:"products"`
}

// CVSSv3 is the CVSS v3.x object: the JSON schema of FIRST, the properties
// Verbund knows.
type CVSSv3 struct {
	Version      string  `json:"version"`
	VectorString string  `json:"vectorString"`
	BaseScore    float64 `json:"baseScore"`
	BaseSeverity string  `json:"baseSeverity"`
}
