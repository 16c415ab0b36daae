#!/usr/bin/env python3
"""Reads ou=teams with python ldap3, schema checking on, and prints JSON (issue 13).

Usage: ldap3_teams.py '<json>' with keys host, port, ca_file, admin_dn, admin_password, suffix.
Every attribute and objectClass of the team entries, the derived groups and the users' memberOf
must be defined in cn=Subschema (ldap3_common.py's checked_search).
"""
import json
import sys

from ldap3 import ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES

from ldap3_common import bind, checked_search, ldaps_server


def main():
    args = json.loads(sys.argv[1])
    conn = bind(ldaps_server(args), args["admin_dn"], args["admin_password"], "admin bind")
    suffix = args["suffix"]
    teams = checked_search(conn, f"ou=teams,{suffix}", "(objectClass=*)", [ALL_ATTRIBUTES, ALL_OPERATIONAL_ATTRIBUTES], "teams search")
    editors = checked_search(conn, f"ou=users,{suffix}", f"(memberOf=cn=web.editor,ou=teams,{suffix})", ["uid", "memberOf"], "memberOf filter")
    conn.unbind()
    print(json.dumps({"teams": teams, "editors": editors}))


if __name__ == "__main__":
    main()
