"""The web console for staff of partner organisations (issue 13): server-rendered pages that
act through the same GraphQL services as partner systems, as the staff member's organisation,
with the staff member as the acting person in every log record."""
