package server_test

import "github.com/verbund/verbund/internal/incident"

// rsitKeys lists the ends of every catalogue key of the taxonomy:
// "intrusions", "intrusions.burglary" and "intrusions.burglary.desc".
func rsitKeys() []string {
	var out []string
	for _, c := range incident.Taxonomy {
		out = append(out, c.ID)
		for _, t := range c.Types {
			out = append(out, c.ID+"."+t, c.ID+"."+t+".desc")
		}
	}
	return out
}
