// Package incident holds what Verbund knows about reporting attacks: the
// Reference Security Incident Taxonomy that classifies a report, the
// reporting stages and deadlines of article 23 of the NIS2 directive
// (Directive (EU) 2022/2555), and the checks of a report's timeline.
//
// It is pure: no storage, no HTTP, no clock of its own. Callers pass the
// time and the organisation's time zone.
package incident
