#!/usr/bin/perl
# What PVE::LDAP / PVE::Auth::LDAP do with a realm (pve-common src/PVE/LDAP.pm), reduced to the
# Net::LDAP calls. argv: the domains.cfg block file, the bind secret file, the action, [user].
use strict;
use warnings;
use Net::LDAP;
use Net::LDAP::Control::Paged;
use Net::LDAP::Constant qw(LDAP_CONTROL_PAGED);
use JSON::PP;

my ($cfgfile, $pwfile, $action, $user) = @ARGV;
my %c;
open(my $fh, '<', $cfgfile) or die "$cfgfile: $!";
while (<$fh>) { $c{$1} = $2 if /^\s+(\S+)\s+(.*?)\s*$/; }
close $fh;
open($fh, '<', $pwfile) or die "$pwfile: $!";
chomp(my $secret = <$fh>);
close $fh;

sub connect_ldap {
    my %opts = (port => $c{port}, scheme => $c{mode}, timeout => 10, onerror => 'die');
    if ($c{verify}) {
        $opts{verify} = 'require';
        if (-d $c{capath}) { $opts{capath} = $c{capath} } else { $opts{cafile} = $c{capath} }
    } else {
        $opts{verify} = 'none';
    }
    return Net::LDAP->new($c{server1}, %opts) || die "connect: $@\n";
}

sub service { my $l = connect_ldap(); $l->bind($c{bind_dn}, password => $secret); return $l }

# Paged query as PVE::LDAP::query_users / query_groups do (900 users a page there).
sub paged {
    my ($ldap, $base, $filter, $attrs, $size) = @_;
    my $page = Net::LDAP::Control::Paged->new(size => $size);
    my ($pages, @entries) = (0);
    while (1) {
        my $mesg = $ldap->search(base => $base, scope => 'sub', filter => $filter, attrs => $attrs, control => [$page]);
        $pages++;
        push @entries, $mesg->entries;
        my ($resp) = $mesg->control(LDAP_CONTROL_PAGED) or die "no paged results control\n";
        my $cookie = $resp->cookie;
        last if !defined($cookie) || $cookie eq '';
        $page->cookie($cookie);
    }
    return ($pages, @entries);
}

my $out;
if ($action eq 'login') {
    chomp(my $password = <STDIN>);
    my $ldap = service();
    # PVE::Auth::LDAP::get_user_dn: "$attr=$name" without parentheses, AND-ed with the realm filter.
    my $filter = "$c{user_attr}=$user";
    $filter = "(&($filter)$c{filter})" if $c{filter};
    my $mesg = $ldap->search(base => $c{base_dn}, scope => 'sub', filter => $filter, attrs => ['dn']);
    my @e = $mesg->entries;
    if (@e != 1) { $out = { ok => JSON::PP::false, why => 'found ' . scalar(@e) } }
    else {
        my $u = connect_ldap();
        my $r = eval { $u->bind($e[0]->dn, password => $password) };
        $out = { ok => $r ? JSON::PP::true : JSON::PP::false, dn => $e[0]->dn, why => $r ? '' : "$@" };
    }
} elsif ($action eq 'sync') {
    my $ldap = service();
    my %map = map { my ($k, $v) = split /=/; ($v => $k) } split /,/, $c{sync_attributes};
    my $filter = '(&(|(uid=*)(enable=*)(email=*))(|(objectclass=inetorgperson)(objectclass=posixaccount)(objectclass=person)(objectclass=user)))';
    $filter = "(&$c{filter}$filter)" if $c{filter};
    my ($pages, @users) = paged($ldap, $c{base_dn}, $filter, [$c{user_attr}, keys %map, 'memberOf'], 1);
    my %users;
    for my $e (@users) {
        $users{$e->get_value($c{user_attr})} = { dn => lc($e->dn), map { ($map{$_} => $e->get_value($_)) } keys %map };
    }
    my $gfilter = "(&(|(objectclass=groupOfNames)(objectclass=group)(objectclass=univentionGroup)(objectclass=ipausergroup))$c{group_filter})";
    my ($gpages, @groups) = paged($ldap, $c{group_dn}, $gfilter, [$c{group_name_attr}, 'member', 'uniqueMember'], 100);
    my %groups;
    for my $g (@groups) {
        my @members = map { lc } ($g->get_value('member'), ());
        $groups{$g->get_value($c{group_name_attr})} = [sort grep { my $m = $_; grep { $_->{dn} eq $m } values %users } @members];
    }
    $out = { pages => $pages, users => \%users, groups => \%groups };
}
print JSON::PP->new->canonical->encode($out), "\n";
