"""What the pairing tests share: cadres, set posts and teams written directly (helper A's services build them in
the app; these tests are about pairings and responsible persons)."""

from fupin.assistance.models import Cadre, SetPost, TeamMember, WorkTeam


def cadre(area, name, **fields):
    return Cadre.objects.create(area_id=area, name=name, **fields)


def post(village, part, person, started_on, ended_on=None):
    return SetPost.objects.create(village_id=village, part=part, cadre=person, started_on=started_on, ended_on=ended_on)


def team_leader(village, person, started_on, *, batch=1, team_ended_on=None, left_on=None):
    team = WorkTeam.objects.create(village_id=village, batch=batch, started_on=started_on, ended_on=team_ended_on)
    return TeamMember.objects.create(team=team, cadre=person, role="leader", joined_on=started_on, left_on=left_on)
