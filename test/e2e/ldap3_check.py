#!/usr/bin/env python3
"""Reads pgdir over LDAPS with python ldap3, schema checking on (its default), and prints JSON.

Usage: ldap3_check.py '<json>' with keys host, port, ca_file, admin_dn, admin_password, suffix,
user_dn, user_password. Exits 0 and prints {"users": [...], "groups": [...], "whoami": ...} when
every step worked; exits 1 with a message naming the failed step otherwise.

The checks (ldap3_common.py) also require every returned attribute and objectClass value to be
defined in the server's schema, which is what schema-checking clients need of a server.
"""
import json
import sys

from ldap3 import ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES

from ldap3_common import bind, checked_search, fail, ldaps_server, search


def main():
    args = json.loads(sys.argv[1])
    server = ldaps_server(args)
    conn = bind(server, args["admin_dn"], args["admin_password"], "admin bind")
    if server.schema is None or not server.schema.attribute_types:
        fail("schema", "ldap3 read no schema from the server")
    if args["suffix"] not in [str(n) for n in server.info.naming_contexts or []]:
        fail("rootDSE", f"namingContexts {server.info.naming_contexts}")

    suffix = args["suffix"]
    users = checked_search(conn, f"ou=users,{suffix}", "(&(objectClass=posixAccount)(!(nsAccountLock=TRUE)))",
                           [ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES], "users search")
    named = search(conn, f"ou=users,{suffix}", "(uid=alice)",
                   ["uid", "username", "sAMAccountName", "mail", "mailAlternateAddress", "displayName", "givenName",
                    "sn", "memberOf", "uidNumber", "gidNumber", "homeDirectory", "loginShell", "gecos", "objectCategory",
                    "entryUUID", "entryDN", "createTimestamp", "modifyTimestamp", "pwdChangedTime",
                    "structuralObjectClass", "hasSubordinates", "subschemaSubentry"], "named attributes")
    groups = checked_search(conn, f"ou=groups,{suffix}", "(objectClass=groupOfNames)",
                            ["cn", "gidNumber", "member", "uniqueMember", "memberUid", "description", "entryUUID"], "groups search")
    chain = search(conn, suffix, f"(memberOf:1.2.840.113556.1.4.1941:=cn=eng,ou=groups,{suffix})", ["uid"], "in-chain")
    conn.unbind()

    user_conn = bind(server, args["user_dn"], args["user_password"], "user bind")
    try:
        whoami = user_conn.extend.standard.who_am_i()
        user_conn.unbind()
    except Exception as err:  # noqa: BLE001
        fail("user bind", f"{type(err).__name__}: {err}")

    print(json.dumps({"users": users, "named": named, "groups": groups, "chain": chain, "whoami": whoami}))


if __name__ == "__main__":
    main()
