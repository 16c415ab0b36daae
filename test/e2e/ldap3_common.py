"""What the python ldap3 client scripts share (ldap3_check.py, ldap3_teams.py): the LDAPS
connection with the server's schema read at bind, searches whose failures name their step, and the
check that every returned attribute and objectClass is defined in cn=Subschema.

ldap3 downloads cn=Subschema at bind (get_info=ALL) and then validates every attribute name in
requests and filters against it (check_names=True), and formats returned values by the syntaxes
the schema gives them.
"""
import ssl
import sys

from ldap3 import ALL, SUBTREE, Connection, Server, Tls


def fail(step, detail):
    print(f"{sys.argv[0].rsplit('/', 1)[-1].removesuffix('.py')}: {step}: {detail}", file=sys.stderr)
    sys.exit(1)


def plain(value):
    """JSON-safe rendering of ldap3's formatted values (datetimes, ints, UUID strings...)."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def ldaps_server(args):
    """The server named by args (host, port, ca_file), its certificate verified, schema read at bind."""
    tls = Tls(ca_certs_file=args["ca_file"], validate=ssl.CERT_REQUIRED)
    return Server(args["host"], port=args["port"], use_ssl=True, tls=tls, get_info=ALL)


def bind(server, dn, password, step):
    try:
        return Connection(server, dn, password, auto_bind=True, raise_exceptions=True)
    except Exception as err:  # noqa: BLE001 - report any ldap3 exception with its step
        fail(step, f"{type(err).__name__}: {err}")


def check_against_schema(schema, entries, step):
    attribute_names = {n.lower() for n in schema.attribute_types}
    class_names = {n.lower() for n in schema.object_classes}
    for entry in entries:
        for name in entry["attributes"]:
            if name.lower() not in attribute_names:
                fail(step, f"{entry['dn']}: attribute {name} is not in the server schema")
        for oc in entry["attributes"].get("objectClass", []):
            if oc.lower() not in class_names:
                fail(step, f"{entry['dn']}: objectClass {oc} is not in the server schema")


def search(conn, base, flt, attributes, step):
    try:
        conn.search(base, flt, search_scope=SUBTREE, attributes=attributes)
    except Exception as err:  # noqa: BLE001 - report any ldap3 exception with its step
        fail(step, f"{type(err).__name__}: {err}")
    return [{"dn": e.entry_dn, "attributes": {k: plain(v) for k, v in e.entry_attributes_as_dict.items()}} for e in conn.entries]


def checked_search(conn, base, flt, attributes, step):
    """A search whose every returned attribute and objectClass must be in the server's schema."""
    entries = search(conn, base, flt, attributes, step)
    check_against_schema(conn.server.schema, entries, step)
    return entries
