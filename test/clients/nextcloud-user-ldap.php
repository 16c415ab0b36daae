<?php
// What Nextcloud's user_ldap does with a configuration (apps/user_ldap/lib/{Access,Wizard}.php),
// reduced to the LDAP calls: argv[1] is a JSON file of the occ settings, argv[2] the action.
$c = json_decode(file_get_contents($argv[1]), true);
$action = $argv[2];

function connection(array $c) {
    $link = ldap_connect($c['ldapHost'] . ':' . $c['ldapPort']);
    ldap_set_option($link, LDAP_OPT_PROTOCOL_VERSION, 3);
    ldap_set_option($link, LDAP_OPT_REFERRALS, 0);
    ldap_set_option($link, LDAP_OPT_NETWORK_TIMEOUT, 10);
    return $link;
}

function serviceBind(array $c) {
    $link = connection($c);
    if (!@ldap_bind($link, $c['ldapAgentName'], $c['ldapAgentPassword'])) {
        fwrite(STDERR, 'service bind: ' . ldap_error($link) . "\n");
        exit(2);
    }
    return $link;
}

// Access::fetchListOfUsers with paging (PagedResults/Php73.php): the control goes into
// ldap_search, the cookie comes back through ldap_parse_result.
function listUsers(array $c): array {
    $link = serviceBind($c);
    $attrs = [strtolower($c['ldapExpertUUIDUserAttr']), 'dn', 'uid', 'samaccountname', 'memberof',
              strtolower($c['ldapUserDisplayName']), strtolower($c['ldapEmailAttribute'])];
    $cookie = '';
    $pages = 0;
    $users = [];
    do {
        $controls = [['oid' => LDAP_CONTROL_PAGEDRESULTS, 'value' => ['size' => (int)$c['ldapPagingSize'], 'cookie' => $cookie]]];
        $result = ldap_search($link, $c['ldapBaseUsers'], $c['ldapUserFilter'], $attrs, 0, 0, 0, LDAP_DEREF_NEVER, $controls);
        ldap_parse_result($link, $result, $code, $matched, $message, $referrals, $responseControls);
        if ($code !== 0) { fwrite(STDERR, "search: $code $message\n"); exit(3); }
        $pages++;
        foreach (ldap_get_entries($link, $result) as $k => $e) {
            if ($k === 'count') continue;
            $users[] = ['dn' => $e['dn'], 'uuid' => $e[strtolower($c['ldapExpertUUIDUserAttr'])][0] ?? null,
                        'uid' => $e[strtolower($c['ldapExpertUsernameAttr'])][0] ?? null,
                        'name' => $e[strtolower($c['ldapUserDisplayName'])][0] ?? null,
                        'mail' => $e[strtolower($c['ldapEmailAttribute'])][0] ?? null,
                        'memberof' => array_values(array_filter($e['memberof'] ?? [], 'is_string'))];
        }
        if (!isset($responseControls[LDAP_CONTROL_PAGEDRESULTS])) { fwrite(STDERR, "no paged results control in the response\n"); exit(4); }
        $cookie = $responseControls[LDAP_CONTROL_PAGEDRESULTS]['value']['cookie'];
    } while ($cookie !== '' && $cookie !== null);
    return ['pages' => $pages, 'users' => $users];
}

// Access::readAttribute: a base search on one DN with objectClass=*, one lower-case attribute.
function readAttribute(array $c, string $dn, string $attr): array {
    $link = serviceBind($c);
    $result = @ldap_read($link, $dn, 'objectClass=*', [$attr]);
    if ($result === false) return [];
    $e = ldap_get_entries($link, $result);
    return array_values(array_filter($e[0][$attr] ?? [], 'is_string'));
}

// User_LDAP::checkPassword: the login filter with %uid, exactly one entry, then a bind as it.
function login(array $c, string $user, string $password): array {
    $link = serviceBind($c);
    $filter = str_replace('%uid', ldap_escape($user, '', LDAP_ESCAPE_FILTER), $c['ldapLoginFilter']);
    $result = ldap_search($link, $c['ldapBaseUsers'], $filter, ['dn', 'uid']);
    $e = ldap_get_entries($link, $result);
    if ($e['count'] !== 1) return ['ok' => false, 'why' => 'found ' . $e['count']];
    $userLink = connection($c);
    $ok = @ldap_bind($userLink, $e[0]['dn'], $password);
    return ['ok' => $ok, 'dn' => $e[0]['dn'], 'why' => $ok ? '' : ldap_error($userLink)];
}

function listGroups(array $c): array {
    $link = serviceBind($c);
    $assoc = strtolower($c['ldapGroupMemberAssocAttr']);
    $result = ldap_search($link, $c['ldapBaseGroups'], $c['ldapGroupFilter'], ['cn', $assoc, strtolower($c['ldapExpertUUIDGroupAttr'])]);
    $groups = [];
    foreach (ldap_get_entries($link, $result) as $k => $e) {
        if ($k === 'count') continue;
        $groups[$e['cn'][0]] = array_values(array_filter($e[$assoc] ?? [], 'is_string'));
    }
    ksort($groups);
    return $groups;
}

$out = match ($action) {
    'list' => listUsers($c),
    'read' => readAttribute($c, $argv[3], $argv[4]),
    'login' => login($c, $argv[3], rtrim(fgets(STDIN), "\n")),
    'groups' => listGroups($c),
};
echo json_encode($out), "\n";
