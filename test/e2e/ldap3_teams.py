#!/usr/bin/env python3
"""Reads ou=teams with python ldap3, schema checking on, and prints JSON (issue 13).

Usage: ldap3_teams.py '<json>' with keys host, port, ca_file, admin_dn, admin_password, suffix.
Every attribute and objectClass of the team entries, the derived groups and the users' memberOf
must be defined in cn=Subschema (ldap3_check.py's check_against_schema).
"""
import json
import ssl
import sys

from ldap3 import ALL, ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES, Connection, Server, Tls

from ldap3_check import check_against_schema, fail, search


def main():
    args = json.loads(sys.argv[1])
    tls = Tls(ca_certs_file=args["ca_file"], validate=ssl.CERT_REQUIRED)
    server = Server(args["host"], port=args["port"], use_ssl=True, tls=tls, get_info=ALL)
    try:
        conn = Connection(server, args["admin_dn"], args["admin_password"], auto_bind=True, raise_exceptions=True)
    except Exception as err:  # noqa: BLE001
        fail("admin bind", f"{type(err).__name__}: {err}")
    suffix = args["suffix"]
    teams = search(conn, f"ou=teams,{suffix}", "(objectClass=*)", [ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES], "teams search")
    check_against_schema(server.schema, teams, "teams search")
    editors = search(conn, f"ou=users,{suffix}", f"(memberOf=cn=web.editor,ou=teams,{suffix})", ["uid", "memberOf"], "memberOf filter")
    check_against_schema(server.schema, editors, "memberOf filter")
    conn.unbind()
    print(json.dumps({"teams": teams, "editors": editors}))


if __name__ == "__main__":
    main()
