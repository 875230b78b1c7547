package incident

import (
	"bytes"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/verbund/verbund"
)

// Attachments of a report are evidence: screenshots, logs, packet
// captures, documents. They are identified by their content, not by the
// name or the type the browser claims, and only kinds that a reader opens
// without running anything are taken. Active content (HTML, SVG, XML,
// scripts) and programs are refused; they belong in a sample exchange, not
// in a report.

// DefaultMaxAttachment is the size limit of one attachment, in bytes.
const DefaultMaxAttachment = 10 << 20

// MaxAttachments is the most attachments one report carries.
const MaxAttachments = 20

// SniffLen is how many leading bytes CheckAttachment needs to know a type.
const SniffLen = 512

// AttachmentType is a kind of file reports may carry.
type AttachmentType struct {
	MediaType  string
	Extensions []string // the first is the one a sanitised name gets
}

var attachmentTypes = []struct {
	AttachmentType
	magic [][]byte
}{
	{AttachmentType{"application/pdf", []string{".pdf"}}, [][]byte{[]byte("%PDF-")}},
	{AttachmentType{"image/png", []string{".png"}}, [][]byte{[]byte("\x89PNG\r\n\x1a\n")}},
	{AttachmentType{"image/jpeg", []string{".jpg", ".jpeg"}}, [][]byte{[]byte("\xff\xd8\xff")}},
	{AttachmentType{"image/gif", []string{".gif"}}, [][]byte{[]byte("GIF87a"), []byte("GIF89a")}},
	{AttachmentType{"application/vnd.tcpdump.pcap", []string{".pcap", ".cap"}},
		[][]byte{{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}}},
	{AttachmentType{"application/x-pcapng", []string{".pcapng"}}, [][]byte{{0x0a, 0x0d, 0x0d, 0x0a}}},
	{AttachmentType{"application/zip", []string{".zip"}}, [][]byte{[]byte("PK\x03\x04")}},
}

// textExtensions are the names under which plain text is taken.
var textExtensions = map[string]string{
	".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".json": "application/json",
	".eml": "message/rfc822", ".md": "text/markdown",
}

// programs are the leading bytes of executables, refused whatever the name.
var programs = [][]byte{[]byte("MZ"), []byte("\x7fELF"), {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe}, []byte("#!")}

// Attachment is one checked attachment.
type Attachment struct {
	Name      string // sanitised: no path, no control characters, the type's extension
	MediaType string // from the content
	Size      int64
}

// CheckAttachment decides whether a file may be attached: name is what the
// reporter's system called it, head its first SniffLen bytes (or all of it
// when shorter), size its length, max the size limit (0: the default). The
// error is Invalid, under "attachment", and says what is wrong.
func CheckAttachment(name string, head []byte, size, max int64) (Attachment, error) {
	const op = "incident.CheckAttachment"
	if max <= 0 {
		max = DefaultMaxAttachment
	}
	bad := func(msg string) (Attachment, error) {
		return Attachment{}, verbund.InvalidFields(op, map[string]string{"attachment": msg})
	}
	clean := cleanName(name)
	switch {
	case size <= 0 || len(head) == 0:
		return bad(clean + " is empty")
	case size > max:
		return bad(clean + " is larger than the limit of " + mib(max))
	}
	for _, p := range programs {
		if bytes.HasPrefix(head, p) {
			return bad(clean + " is a program or script; such files are not taken")
		}
	}
	ext := strings.ToLower(path.Ext(clean))
	for _, t := range attachmentTypes {
		for _, m := range t.magic {
			if !bytes.HasPrefix(head, m) {
				continue
			}
			a := Attachment{Name: clean, MediaType: t.MediaType, Size: size}
			if !slices.Contains(t.Extensions, ext) {
				a.Name = strings.TrimSuffix(clean, path.Ext(clean)) + t.Extensions[0]
			}
			return a, nil
		}
	}
	if mt, ok := textExtensions[ext]; ok && isText(head) {
		if looksActive(head) {
			return bad(clean + " contains HTML or script; such files are not taken")
		}
		return Attachment{Name: clean, MediaType: mt + "; charset=utf-8", Size: size}, nil
	}
	return bad(clean + " is not a type reports take: PDF, PNG, JPEG, GIF, packet captures, ZIP, or text (.txt, .log, .csv, .json, .eml, .md)")
}

// AttachmentTypes lists the binary kinds taken, for forms and docs.
func AttachmentTypes() []AttachmentType {
	out := make([]AttachmentType, len(attachmentTypes))
	for i, t := range attachmentTypes {
		out[i] = t.AttachmentType
	}
	return out
}

// cleanName keeps the last element of a path, without control or format
// characters and at most 100 characters long.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ".")
	if r := []rune(name); len(r) > 100 {
		ext := path.Ext(name)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		name = string(r[:100-len([]rune(ext))]) + ext
	}
	if name == "" || name == "/" {
		return "attachment"
	}
	return name
}

// isText reports whether head is UTF-8 text (its last rune may be cut).
func isText(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		if r == utf8.RuneError && n <= 1 {
			return len(head) < utf8.UTFMax && !utf8.FullRune(head)
		}
		head = head[n:]
	}
	return true
}

// looksActive reports whether text starts like markup a browser runs.
func looksActive(head []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(head)))
	for _, p := range []string{"<!doctype html", "<html", "<script", "<svg", "<?xml", "<iframe"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
