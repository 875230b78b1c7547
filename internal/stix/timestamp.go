package stix

import "time"

// ParseTimestamp reads a STIX timestamp (the STIX 2.1 "timestamp" data type): an RFC 3339
// date and time in UTC written YYYY-MM-DDTHH:mm:ss[.s+]Z, with "Z" and not an
// offset, and a decimal point only if digits follow it. Dates are checked
// against the calendar; a leap second (":60") is accepted only at 23:59 and
// read as the first instant of the next day, which keeps ordering correct.
// The second result is the number of fractional digits written.
func ParseTimestamp(s string) (time.Time, int, error) {
	// 2006-01-02T15:04:05Z is the shortest form.
	if len(s) < 20 {
		return time.Time{}, 0, errorf("must be an RFC 3339 UTC timestamp such as 2016-05-12T08:17:27.000Z")
	}
	digits := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	year, ok1 := digits(0, 4)
	month, ok2 := digits(5, 7)
	day, ok3 := digits(8, 10)
	hour, ok4 := digits(11, 13)
	minute, ok5 := digits(14, 16)
	sec, ok6 := digits(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, 0, errorf("must be an RFC 3339 UTC timestamp such as 2016-05-12T08:17:27.000Z")
	}
	rest := s[19:]
	frac, nanos := 0, 0
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			if i <= 9 {
				nanos = nanos*10 + int(rest[i]-'0')
			}
			i++
		}
		frac = i - 1
		if frac == 0 {
			return time.Time{}, 0, errorf("must have digits after the decimal point")
		}
		for k := frac; k < 9; k++ {
			nanos *= 10
		}
		rest = rest[i:]
	}
	if rest != "Z" {
		return time.Time{}, 0, errorf("must be in UTC and end with Z")
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, 0, errorf("has a month out of range")
	case day < 1 || day > daysIn(year, month):
		return time.Time{}, 0, errorf("has a day out of range for its month")
	case hour > 23:
		return time.Time{}, 0, errorf("has an hour out of range")
	case minute > 59:
		return time.Time{}, 0, errorf("has a minute out of range")
	case sec > 60 || sec == 60 && (hour != 23 || minute != 59):
		return time.Time{}, 0, errorf("has a second out of range")
	}
	// time.Date normalises a leap second to the next day's first second.
	return time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC), frac, nil
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
