#!/usr/bin/env python3
"""Reads pgdir over LDAPS with python ldap3, schema checking on (its default), and prints JSON.

Usage: ldap3_check.py '<json>' with keys host, port, ca_file, admin_dn, admin_password, suffix,
user_dn, user_password. Exits 0 and prints {"users": [...], "groups": [...], "whoami": ...} when
every step worked; exits 1 with a message naming the failed step otherwise.

ldap3 downloads cn=Subschema at bind (get_info=ALL) and then validates every attribute name in
requests and filters against it (check_names=True), and formats returned values by the syntaxes
the schema gives them. The checks below also require every returned attribute and objectClass
value to be defined in that schema, which is what schema-checking clients need of a server.
"""
import json
import ssl
import sys

from ldap3 import ALL, ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES, SUBTREE, Connection, Server, Tls


def fail(step, detail):
    print(f"ldap3_check: {step}: {detail}", file=sys.stderr)
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


def main():
    args = json.loads(sys.argv[1])
    tls = Tls(ca_certs_file=args["ca_file"], validate=ssl.CERT_REQUIRED)
    server = Server(args["host"], port=args["port"], use_ssl=True, tls=tls, get_info=ALL)
    try:
        conn = Connection(server, args["admin_dn"], args["admin_password"], auto_bind=True, raise_exceptions=True)
    except Exception as err:  # noqa: BLE001
        fail("admin bind", f"{type(err).__name__}: {err}")
    if server.schema is None or not server.schema.attribute_types:
        fail("schema", "ldap3 read no schema from the server")
    if args["suffix"] not in [str(n) for n in server.info.naming_contexts or []]:
        fail("rootDSE", f"namingContexts {server.info.naming_contexts}")

    suffix = args["suffix"]
    users = search(conn, f"ou=users,{suffix}", "(&(objectClass=posixAccount)(!(nsAccountLock=TRUE)))",
                   [ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES], "users search")
    check_against_schema(server.schema, users, "users search")
    named = search(conn, f"ou=users,{suffix}", "(uid=alice)",
                   ["uid", "username", "sAMAccountName", "mail", "mailAlternateAddress", "displayName", "givenName",
                    "sn", "memberOf", "uidNumber", "gidNumber", "homeDirectory", "loginShell", "gecos", "objectCategory",
                    "entryUUID", "entryDN", "createTimestamp", "modifyTimestamp", "pwdChangedTime",
                    "structuralObjectClass", "hasSubordinates", "subschemaSubentry"], "named attributes")
    groups = search(conn, f"ou=groups,{suffix}", "(objectClass=groupOfNames)",
                    ["cn", "gidNumber", "member", "uniqueMember", "memberUid", "description", "entryUUID"], "groups search")
    check_against_schema(server.schema, groups, "groups search")
    chain = search(conn, suffix, f"(memberOf:1.2.840.113556.1.4.1941:=cn=eng,ou=groups,{suffix})", ["uid"], "in-chain")
    conn.unbind()

    try:
        user_conn = Connection(server, args["user_dn"], args["user_password"], auto_bind=True, raise_exceptions=True)
        whoami = user_conn.extend.standard.who_am_i()
        user_conn.unbind()
    except Exception as err:  # noqa: BLE001
        fail("user bind", f"{type(err).__name__}: {err}")

    print(json.dumps({"users": users, "named": named, "groups": groups, "chain": chain, "whoami": whoami}))


if __name__ == "__main__":
    main()
