"""Business succession (事業承継): anonymous handover listings, successor profiles and matching, disclosure under
NDA with an audit log, and push-style outreach by organisers."""
