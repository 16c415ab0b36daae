<?php
// What Moodle's auth_ldap does with its settings (auth/ldap/auth.php, lib/ldaplib.php), reduced
// to the LDAP calls: argv[1] is a JSON file of the cfg.php settings, argv[2] the action, argv[3] the user.
$c = json_decode(file_get_contents($argv[1]), true);
[$action, $username] = [$argv[2], $argv[3]];

function ldap_filter_addslashes(string $text): string {
    return str_replace(['\\', '*', '(', ')', "\0"], ['\\5c', '\\2a', '\\28', '\\29', '\\00'], $text);
}

function connect_bind(array $c) {
    $link = ldap_connect($c['host_url']);
    ldap_set_option($link, LDAP_OPT_PROTOCOL_VERSION, (int)$c['ldap_version']);
    ldap_set_option($link, LDAP_OPT_NETWORK_TIMEOUT, 10);
    if (!@ldap_bind($link, $c['bind_dn'], $c['bind_pw'])) { fwrite(STDERR, 'bind: ' . ldap_error($link) . "\n"); exit(2); }
    return $link;
}

// auth_ldap's objectclass normalisation, then ldap_find_userdn over the contexts.
function find_userdn($link, array $c, string $username) {
    $oc = $c['objectclass'];
    if (stripos($oc, 'objectClass=') === 0) $oc = "($oc)"; elseif (strpos($oc, '(') !== 0) $oc = "(objectClass=$oc)";
    foreach (explode(';', $c['contexts']) as $context) {
        $filter = '(&' . $oc . '(' . $c['user_attribute'] . '=' . ldap_filter_addslashes($username) . '))';
        $result = $c['search_sub'] ? @ldap_search($link, trim($context), $filter, [$c['user_attribute']])
                                   : @ldap_list($link, trim($context), $filter, [$c['user_attribute']]);
        if ($result && ($entry = ldap_first_entry($link, $result))) return ldap_get_dn($link, $entry);
    }
    return false;
}

$link = connect_bind($c);
$dn = find_userdn($link, $c, $username);
$out = ['dn' => $dn];
if ($action === 'login' && $dn !== false) {
    $user = ldap_connect($c['host_url']);
    ldap_set_option($user, LDAP_OPT_PROTOCOL_VERSION, 3);
    $out['ok'] = @ldap_bind($user, $dn, rtrim(fgets(STDIN), "\n"));
} elseif ($action === 'info' && $dn !== false) {
    // get_userinfo: field maps lower-cased, one read of the user's entry.
    $fields = ['firstname' => 'field_map_firstname', 'lastname' => 'field_map_lastname', 'email' => 'field_map_email'];
    $attrs = array_map(fn ($k) => strtolower($c[$k]), $fields);
    $entry = ldap_get_entries($link, ldap_read($link, $dn, '(objectClass=*)', array_values($attrs)))[0];
    foreach ($attrs as $field => $attr) $out[$field] = $entry[$attr][0] ?? null;
} elseif ($action === 'creator' && $dn !== false) {
    // ldap_isgroupmember: a read of the group entry filtered on the member attribute.
    $member = $c['memberattribute_isdn'] ? $dn : $username;
    $search = @ldap_read($link, $c['creators'], '(' . $c['memberattribute'] . '=' . ldap_filter_addslashes($member) . ')', [$c['memberattribute']]);
    $out['creator'] = $search !== false && ldap_count_entries($link, $search) > 0;
}
echo json_encode($out), "\n";
