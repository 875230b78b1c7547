// Package policy decides who may see an information object, and why.
//
// Every read path — HTML, REST, TAXII, CSAF, feeds, search, exports, SSE,
// webhooks, e-mail, federation — obtains objects only through
// [Policy.Decide] (or [Policy.Filter], [FilterFunc]); a read path that
// filters by itself is a bug. The package depends on the standard library and
// the root package alone, so that the decision can be tested, reasoned about
// and benchmarked on its own.
//
// # Inputs
//
// An [Object] carries a [Marking]: a [TLP] 2.0 level, an [Audience]
// (community, sectors, circles, organisations, named users) and the flags
// Confidential, Identifiable and Purpose. A [Viewer] is the public, a user or
// an API token, with its organisation's status, sectors, resolved [Circles],
// [Designation]s, office roles and token scopes. The [Config] says which
// legal [Regime] the installation runs, which token scope reads which kind,
// and what office roles see beyond their audience ([OfficeGrant]).
//
// # The decision
//
// Decide takes the steps below in order. The first step that denies wins;
// an allow needs every step to pass. The zero value of every input denies:
// a zero [Viewer] is the public, a zero [TLP] is no level, and an empty
// audience reaches nobody beyond the owner.
//
//	step        rule
//	----------  ------------------------------------------------------------------
//	(token)     A token needs the read scope configured for the object's kind,
//	            even a token of the owner: the scope limits the credential.
//	            Reported as step "standing".
//	1 owner     A user or token of the owning organisation sees the object,
//	            whatever its organisation's status (so that a leaving member can
//	            export its own data), with two exceptions: TLP:RED only to the
//	            users named on it, and drafts of the office only to their author
//	            and to the office roles granted drafts of the kind. Drafts of a
//	            member organisation are seen by all its users. Nobody but the
//	            owner (and office grants with Drafts) sees a draft.
//	2 standing  A viewer that does not own the object and whose organisation is
//	            pending, suspended, terminated or of unknown status sees only
//	            TLP:CLEAR.
//	3 tlp       CLEAR: everyone, also the public. Every other level: users and
//	            tokens of an active organisation that accepted the current
//	            agreement — at GREEN and, because a narrower level never asks
//	            less, at AMBER and RED too. AMBER: the audience must reach the
//	            organisation through sectors, circles, organisations or users;
//	            the community does not count. AMBER+STRICT: only organisations
//	            and users named; sectors and circles do not count, because their
//	            membership changes after sharing and STRICT is about the
//	            recipients named at the time. RED: only users named; never a
//	            token, which is no person.
//	4 audience  The audience narrows: the community (GREEN only) ⊇ sectors ∪
//	            circles (nested, resolved transitively) ∪ organisations ∪ users.
//	            An empty audience reaches nobody but the owner. The audience of a
//	            CLEAR object does not restrict (a CLEAR object is public anyway);
//	            it may still steer notifications.
//	5 legal     In a designated-hub regime only, for confidential or
//	            identifiable objects, for viewers other than the office (the hub
//	            itself is no recipient): confidential — a designation valid at
//	            now in a category the regime allows; identifiable — a valid
//	            designation as designated CSIRT serving a whole sector (in an
//	            allowed category); an ISP designation carries only objects whose
//	            purpose is PurposeInformUsers, and counts only when no other
//	            designation carries the object. A designation stops counting at
//	            the instant of ValidUntil or RevokedAt. In the open alliance the
//	            flags are recorded but do not restrict, and the legal regime
//	            does not touch objects without these flags.
//	6 office    Users of the office holding a role with an [OfficeGrant] for
//	            the object's kind see it even if the audience does not reach
//	            them — drafts only if the grant says Drafts — but never TLP:RED
//	            unless named, never an object without a valid level, and only
//	            while the office is active. Defaults: analyst → incident
//	            reports; publisher → warnings with drafts; assessor →
//	            assessments with drafts. The office admin and reviewers have no
//	            grant: like every office user they see what is shared with the
//	            office, what the office owns, and nothing else. The grant is
//	            tried when steps 3–5 deny, so an allow through the audience is
//	            reported as such.
//
// [Policy.Decide] returns a [Decision]: Allow, the Step that granted or
// denied, Via (what granted it: owner, public, community, sector, circle,
// org, user, office-role), a stable Code and one Param. [Decision.Explain]
// builds the English sentence only when asked for, so that deciding
// allocates nothing.
//
// # Codes
//
// Codes are stable: clients, translations and audit searches key on them.
//
//	code                         step      allow  meaning
//	---------------------------  --------  -----  -------------------------------------------------
//	owner                        owner     yes    the viewer's organisation owns the object
//	clear                        tlp       yes    TLP:CLEAR, public
//	shared                       audience  yes    the audience reaches the viewer; Via says how
//	office-role                  office    yes    an office grant; Param is the role
//	draft-unpublished            owner     no     a draft, and the viewer is not of the owner
//	token-kind-not-served        standing  no     no read scope is configured for the kind
//	token-scope-missing          standing  no     the token lacks the scope; Param is the scope
//	org-pending                  standing  no     the organisation is pending: CLEAR only
//	org-suspended                standing  no     the organisation is suspended: CLEAR only
//	org-terminated               standing  no     the organisation has left: CLEAR only
//	org-not-active               standing  no     unknown organisation status: CLEAR only
//	tlp-unknown                  tlp       no     the object has no valid TLP level
//	public-not-clear             tlp       no     not logged in, and the object is not CLEAR
//	agreement-not-accepted       tlp       no     the organisation has not accepted the current agreement
//	tlp-red-not-named            tlp       no     TLP:RED, and the user is not named
//	tlp-red-token                tlp       no     TLP:RED is never served to tokens
//	tlp-amber-community          tlp       no     TLP:AMBER reaches the viewer only as community
//	tlp-amber-strict-not-named   tlp       no     TLP:AMBER+STRICT reaches the viewer only by sector, circle or community
//	audience-empty               audience  no     the object has no audience
//	audience-not-included        audience  no     the audience does not reach the viewer
//	designation-missing          legal     no     confidential, and no designation
//	designation-category         legal     no     the designation's category may not receive it; Param is the category
//	designation-not-yet-valid    legal     no     the designation that would carry it starts later; Param is the category
//	designation-expired          legal     no     the designation that would carry it has expired; Param is the category
//	designation-revoked          legal     no     the designation that would carry it was revoked; Param is the category
//	designation-not-sector-wide  legal     no     identifiable, and no sector-wide designated CSIRT designation
//	isp-purpose                  legal     no     only an ISP designation, and the purpose is not to inform users
//	office-draft-role            office    no     a draft of the office, and neither author nor granted role
//
// # Onward sharing
//
// [Widens] and [CheckRelay] compare the marking of a relayed, federated or
// exported copy with its original: the copy may reach nobody the original
// does not. [Validate] and [ValidateObject] refuse markings that make no
// sense (RED without named users, AMBER to the community, confidential
// CLEAR…) before they are stored.
package policy
