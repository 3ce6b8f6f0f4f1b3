"""The permission matrix: persona x record x action -> the answer, one test a cell.

Read it against DOMAIN.md "Confidentiality rules the software enforces" (and README "Who sees
what") in two steps:

1. PERSONAS says, for each person, which roles they hold at the site, which place the Rivera
   family's team gives them, and so in which role they act on that family. That column is the
   per-case rule: on a family's case a person acts in the roles that family's team gives them
   (a team place counts only while they still hold its role at the site), plus the roles that
   are site-wide by nature (Community Coordinator, site admin, judge in the court's view).
   Holding another role at the site adds nothing; aggregate-only roles never open a case.
2. MATRIX says, for each record and action, the answer for each role one acts in.

Answers:
- `200`, `201`, `302`, `400`, `403`, `404`: the HTTP status (`302`: a form sent the person
  back to their page);
- `in` / `out`: the record is (not) in the list (API lists are filtered by `?case=`; `search`
  is the case list page's search box, `home` the person's home page (their families, a
  judge's coming hearings), both a link to the case; `feed` is their private calendar feed);
- `mark`: the record is (not) on the person's home page (the parent's own page names each
  record it shows by its id);
- `+field` / `-field` after `200` or `in`: the field is shown / left out. On pages that is a
  text of the record on the page; in the API, the JSON keys:
    contact       a person's phone, e-mail and address
    address       a placement's address (the resource family's)
    notes         an FTM's discussion (`notes` and the other discussion fields)
    observations  a family-time visit's observations
    narrative     a relationship-based assessment's narrative
    note          a marker-of-progress rating's note
    part2         the substance-use (42 CFR Part 2) row: the treatment service on the case plan,
                  the release on the releases page
    findings      a hearing's findings and continuance reason (the court's words)
    shown         the record itself (its row in the case page's time in care)
    attendance    who came to an FTM (team members' e-mails, the family's person ids)

Columns (the role one acts in on the family): CC Community Coordinator, ADMIN site admin,
CW caseworker, CLIN clinician, PATT parent's attorney, CATT child's attorney, GAL GAL/CASA,
MENTOR parent mentor, JUDGE judge (the court's view), JUDGE+MENTOR a judge who is the parent
mentor on the team, NONE no role that opens this family's case, PARENT a parent of the family
signed in (Luis, the father: his place on the team names his person; Dorothy is the other
parent, whose details he never reads).

Actions: `page` reads the record's page; `api_list`, `api_detail`; `api_write` is a POST or
PATCH with a valid body, `api_create` a POST adding a record; `edit_page` opens the form of a
record (the form's check is the one its POST passes). The family's only Part 2 release names the
caseworker role.

The data is built once for the module (and rolled back after it); each cell runs in its own
transaction, so a write in one cell is gone before the next.
"""

import datetime as dt
import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import (
    NARRATIVE_FIELDS,
    Assessment,
    Goal,
    GoalStep,
    MarkerRating,
    Screening,
    Service,
    ServiceSession,
)
from cases.models import (
    Consent,
    CourtRecommendation,
    MaltreatmentReport,
    Relationship,
    TeamMember,
    TribeNotice,
)
from community.models import ReferralFeedback
from familytime.models import FamilyTimePlan, Visit
from safebabies import codes
from safebabies.audit.models import AuditEvent
from safebabies.identity.models import User
from safebabies.notify.models import CalendarFeed
from teams.models import CaseNote, Ftm, FtmActionItem, SupportContact
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # noon at the site (America/Chicago)

# --- 1. Who is who on the Rivera family ------------------------------------------------------

CC, CW, CLIN, PATT, CATT, GAL, PM = (
    "community_coordinator",
    "caseworker",
    "clinician",
    "parent_attorney",
    "child_attorney",
    "gal_casa",
    "parent_mentor",
)
JUDGE, ADMIN, SIT, NATIONAL = "judge", "site_admin", "site_implementation", "national"
PARENT = "parent"
PARENT_LEADER = "parent_leader"


@dataclass(frozen=True)
class Persona:
    roles: tuple[str, ...]  # held at `site` (active memberships)
    team: str | None  # their place on the Rivera family's team
    acts_as: str  # the column of MATRIX: the role(s) they act in on the Rivera family
    former: tuple[str, ...] = ()  # roles they held at the site once (deactivated)
    site: str = "north"
    # a parent's place on another family's team (the Okafor family, of the same site)
    parent_elsewhere: bool = False


PERSONAS = {
    # every role of the site
    "community_coordinator": Persona((CC,), CC, "CC"),
    "caseworker": Persona((CW,), CW, "CW"),
    "caseworker_off_team": Persona((CW,), None, "NONE"),
    "judge": Persona((JUDGE,), None, "JUDGE"),
    "parent_attorney": Persona((PATT,), PATT, "PATT"),
    "child_attorney": Persona((CATT,), CATT, "CATT"),
    "gal_casa": Persona((GAL,), GAL, "GAL"),
    "clinician": Persona((CLIN,), CLIN, "CLIN"),
    "parent_mentor": Persona((PM,), PM, "MENTOR"),
    "site_implementation": Persona((SIT,), None, "NONE"),
    "site_admin": Persona((ADMIN,), None, "ADMIN"),
    "national": Persona((NATIONAL,), None, "NONE"),
    # a parent leader works at system level (ACT, advisory groups): no case by that role
    "parent_leader": Persona((PARENT_LEADER,), None, "NONE"),
    "other_site_coordinator": Persona((CC,), None, "NONE", site="south"),
    # several roles at the site, a place on the team in one of them (or none)
    "judge+caseworker": Persona((JUDGE, CW), None, "JUDGE"),
    "caseworker+mentor": Persona((CW, PM), PM, "MENTOR"),
    "clinician+mentor+caseworker": Persona((CLIN, PM, CW), CLIN, "CLIN"),
    "judge+mentor": Persona((JUDGE, PM), PM, "JUDGE+MENTOR"),
    "attorney+caseworker": Persona((PATT, CW), PATT, "PATT"),
    # a team place in a role the person does not hold (any more) at the site
    "site_implementation_on_team": Persona((SIT,), CW, "NONE"),
    "former_caseworker_now_mentor": Persona((PM,), CW, "NONE", former=(CW,)),
    "judge_former_caseworker": Persona((JUDGE,), CW, "JUDGE", former=(CW,)),
    # the family's own: the father, Luis, signed in (his place names his person)
    "parent": Persona((PARENT,), PARENT, "PARENT"),
    "caseworker+parent": Persona((CW, PARENT), PARENT, "PARENT"),
    "parent_of_another_family": Persona((PARENT,), None, "NONE", parent_elsewhere=True),
    "parent_place_without_the_role": Persona((CW,), PARENT, "NONE"),
    # a parent whose role at the site was taken away (they keep an aggregate-only one)
    "former_parent": Persona((SIT,), PARENT, "NONE", former=(PARENT,)),
}

# --- 2. What each role may do with each record of the family ------------------------------------

MATRIX_TEXT = """

record           action          CC                   ADMIN                CW                   CLIN                 PATT                 CATT                 GAL                  MENTOR               JUDGE            JUDGE+MENTOR         NONE PARENT

case             page            200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  403
case             search          in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
case             home            in                   out                  in                   in                   in                   in                   in                   in                   in               in                   out  out
case             edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
case             api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  in
case             api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  200
case             api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403
case             api_create      201                  201                  403                  403                  403                  403                  403                  403                  403                  403                  403                  403

team             api_list        200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  403
team             api_write       201                  201                  403                  403                  403                  403                  403                  403                  403              403                  404  403

child            edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
child            api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  in
child            api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  200
child            api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403
child            api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  403

person           page            200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200-contact          200-contact      200-contact          404  403
person           edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
person           api_list        in+contact           in+contact           in+contact           in+contact           in+contact           in+contact           in+contact           in-contact           in-contact       in-contact           out  out
person           api_detail      200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200-contact          200-contact      200-contact          404  404
person           api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
person           api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  403

own_person       api_list        in+contact           in+contact           in+contact           in+contact           in+contact           in+contact           in+contact           in-contact           in-contact       in-contact           out  in+contact
own_person       api_detail      200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200-contact          200-contact      200-contact          404  200+contact

episode          add_page        200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
episode          edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  404
episode          page            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown        200+shown            404  403
episode          api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
episode          api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  404
episode          api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
episode          api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  403

placement        page            200+address          200+address          200+address          200+address          200-address          200+address          200+address          200-address          200+address      200+address          404  403
placement        edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
placement        api_list        in+address           in+address           in+address           in+address           in-address           in+address           in+address           in-address           in+address       in+address           out  out
placement        api_detail      200+address          200+address          200+address          200+address          200-address          200+address          200+address          200-address          200+address      200+address          404  404
placement        api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
placement        api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  400

permanency_plan  api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
permanency_plan  api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  404
permanency_plan  api_write       201                  201                  201                  201                  403                  403                  403                  403                  403              403                  400  403

hearing          edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
hearing          api_list        in+findings          in+findings          in+findings          in+findings          in+findings          in+findings          in+findings          in+findings          in+findings      in+findings          out  in-findings
hearing          api_detail      200+findings         200+findings         200+findings         200+findings         200+findings         200+findings         200+findings         200+findings         200+findings     200+findings         404  200-findings
hearing          api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403
hearing          api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  403

hearing_summary  page            200+recommendation   200-recommendation   200+recommendation   200+recommendation   200-recommendation   200-recommendation   200-recommendation   404                  200+recommendation   200+recommendation   404  403
hearing_summary  api_detail      200+recommendation   200-recommendation   200+recommendation   200+recommendation   200-recommendation   200-recommendation   200-recommendation   404                  200+recommendation   200+recommendation   404  403
hearing_summary  pdf             200                  200                  200                  200                  200                  200                  200                  404                  200              200                  404  403

ftm              page            200+notes            200+notes            200+notes            200+notes            200+notes            200+notes            200+notes            200-notes            404              200-notes            404  403
ftm              family_copy     200                  200                  200                  200                  200                  200                  200                  200                  404              200                  404  200
ftm              family_send     200                  200                  403                  403                  403                  403                  403                  403                  404              403                  404  403
ftm              family_pdf      302                  302                  403                  403                  403                  403                  403                  403                  404              403                  404  403
ftm              api_list        in+notes             in+notes             in+notes             in+notes             in+notes             in+notes             in+notes             in-notes             out              in-notes             out  in-notes
ftm              api_detail      200+notes+attendance 200+notes+attendance 200+notes+attendance 200+notes+attendance 200+notes+attendance 200+notes+attendance 200+notes+attendance 200-notes+attendance 404              200-notes+attendance 404  200-notes-attendance
ftm              api_write       200                  200                  200                  200                  403                  403                  403                  403                  404              403                  404  403
ftm              home            out                  out                  out                  out                  out                  out                  out                  out                  out              out                  out  in

action_item      api_list        in                   in                   in                   in                   in                   in                   in                   in                   out              in                   out  out
action_item      api_detail      200                  200                  200                  200                  200                  200                  200                  200                  404              200                  404  404
action_item      api_write       200                  200                  200                  200                  403                  403                  403                  403                  404              403                  404  404

own_action_item  api_list        in                   in                   in                   in                   in                   in                   in                   in                   out              in                   out  in
own_action_item  api_detail      200                  200                  200                  200                  200                  200                  200                  200                  404              200                  404  200
own_action_item  api_write       200                  200                  200                  200                  403                  403                  403                  403                  404              403                  404  200
own_action_item  api_write_other 200                  200                  200                  200                  403                  403                  403                  403                  404              403                  404  403
own_action_item  done_button     302                  302                  302                  302                  403                  403                  403                  403                  404              403                  404  302
own_action_item  home            out                  out                  out                  out                  out                  out                  out                  out                  out              out                  out  in
mentor_item      api_write       200                  200                  200                  200                  403                  403                  403                  200                  404                  200                  404                  404
mentor_item      api_write_other 200                  200                  200                  200                  403                  403                  403                  403                  404                  403                  404                  404
mentor_item      done_button     302                  302                  302                  302                  403                  403                  403                  302                  404                  302                  404                  404
gal_item         done_button     302                  302                  302                  302                  403                  403                  302                  403                  404                  403                  404                  404

visit            page            200+observations     200+observations     200+observations     200+observations     200+observations     200+observations     200+observations     200-observations     200-observations 200-observations     404  403
visit            api_list        in+observations      in+observations      in+observations      in+observations      in+observations      in+observations      in+observations      in-observations      in-observations  in-observations      out  in-observations
visit            api_detail      200+observations     200+observations     200+observations     200+observations     200+observations     200+observations     200+observations     200-observations     200-observations 200-observations     404  200-observations
visit            api_write       200                  200                  200                  200                  403                  403                  200                  403                  403                  403                  404                  403
visit            log_button      302                  302                  302                  302                  403                  403                  302                  403                  403                  403                  404                  403
supervised_visit api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403
coming_visit     home            out                  out                  out                  out                  out                  out                  out                  out                  out              out                  out  in

family_time_plan api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
family_time_plan api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  404
family_time_plan api_write       201                  201                  201                  201                  403                  403                  403                  403                  403              403                  400  403

screening        api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
screening        api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  404
screening        api_write       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  404
part2_screening  api_list        out                  out                  in                   out                  out                  out                  out                  out                  out              out                  out  out
part2_screening  api_detail      404                  404                  200                  404                  404                  404                  404                  404                  404              404                  404  404

service          api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
service          api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  404
service          api_write       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  404
part2_service    page            200-part2            200-part2            200+part2            200-part2            200-part2            200-part2            200-part2            200-part2            200-part2        200-part2            404  403
part2_service    edit_page       404                  404                  200                  404                  403                  403                  403                  403                  403              403                  404  403
part2_service    api_list        out                  out                  in                   out                  out                  out                  out                  out                  out              out                  out  out
part2_service    api_detail      404                  404                  200                  404                  404                  404                  404                  404                  404              404                  404  404

service_session  page            200+session          200+session          200+session          200+session          200+session          200+session          200+session          200+session          200+session          200+session          404                  403
service_session  api_list        in                   in                   in                   in                   in                   in                   in                   in                   in                   in                   out                  out
service_session  api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200                  200                  404                  404
service_session  api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
service_session  api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  400
service_session  add_page        302                  302                  302                  302                  403                  403                  403                  403                  403                  403                  404                  403
service_session  outreach        302                  302                  302                  302                  403                  403                  403                  403                  403                  403                  404                  404
service_session  home            in                   out                  out                  out                  out                  out                  out                  out                  out                  out                  out                  out
part2_session    page            404                  404                  200                  404                  404                  404                  404                  404                  404                  404                  404                  403
part2_session    api_list        out                  out                  in                   out                  out                  out                  out                  out                  out                  out                  out                  out
part2_session    api_detail      404                  404                  200                  404                  404                  404                  404                  404                  404                  404                  404                  404
part2_session    api_create      400                  400                  201                  400                  400                  400                  400                  400                  400                  400                  400                  400

ipv_screening    page            200+ipv              200+ipv              200+ipv              200+ipv              200-ipv              200-ipv              200-ipv              200-ipv              200-ipv              200-ipv              404                  403
ipv_screening    api_list        in                   in                   in                   in                   out                  out                  out                  out                  out                  out                  out                  out
ipv_screening    api_detail      200                  200                  200                  200                  404                  404                  404                  404                  404                  404                  404                  404
ipv_screening    api_write       200                  200                  200                  200                  404                  404                  404                  404                  404                  404                  404                  404

goal             page            200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  403
goal             api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
goal             api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  404
goal             api_write       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  404
goal_step        page            200                  200                  200                  200                  200                  200                  200                  200                  200                  200                  404                  403
goal_step        tick            302                  302                  302                  302                  403                  403                  403                  403                  403                  403                  404                  404
goal_step        add_page        200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403

assessment       page            200+narrative        200-narrative        200+narrative        200+narrative        200-narrative        200-narrative        200-narrative        200-narrative        200-narrative    200-narrative        404  403
assessment       api_list        in+narrative         in-narrative         in+narrative         in+narrative         in-narrative         in-narrative         in-narrative         in-narrative         in-narrative     in-narrative         out  out
assessment       api_detail      200+narrative        200-narrative        200+narrative        200+narrative        200-narrative        200-narrative        200-narrative        200-narrative        200-narrative    200-narrative        404  404
assessment       api_write       403                  403                  403                  201                  403                  403                  403                  403                  403              403                  404  403

marker           page            200+note             200+note             200+note             200+note             200+note             200+note             200+note             200-note             200-note         200-note             404  403
marker           edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403

consent          page            200+part2            200+part2            200+part2            200-part2            200-part2            200-part2            200-part2            403                  403              403                  404  403
consent          edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
consent          confirm_page    200                  200                  403                  403                  403                  403                  403                  403                  403              403                  404  403

maltreatment     page            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown        200+shown            404  403
maltreatment     add_page        200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  403
maltreatment     edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403              403                  404  404
maltreatment     api_list        in                   in                   in                   in                   in                   in                   in                   in                   in               in                   out  out
maltreatment     api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200              200                  404  404
maltreatment     api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
maltreatment     api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  403

case_closing     page            200                  200                  403                  403                  403                  403                  403                  403                  403              403                  404  403
case_transfer    page            200                  200                  403                  403                  403                  403                  403                  403                  403              403                  404  403
case_seal        page            403                  200                  403                  403                  403                  403                  403                  403                  403              403                  404  403
case_purge       page            403                  200                  403                  403                  403                  403                  403                  403                  403              403                  404  403

court_recommendation page            200+recommendation   200-recommendation   200+recommendation   200+recommendation   200-recommendation   200-recommendation   200-recommendation   200-recommendation   200+recommendation   200+recommendation   404  403
court_recommendation api_list        in                   out                  in                   in                   out                  out                  out                  out                  in                   in                   out  out
court_recommendation api_detail      200                  404                  200                  200                  404                  404                  404                  404                  200                  200                  404  404
court_recommendation api_create      403                  403                  403                  201                  403                  403                  403                  403                  403                  403                  400  403
court_recommendation add_page        403                  403                  403                  200                  403                  403                  403                  403                  403                  403                  404  403

audit_event      api_list        403                  in                   403                  403                  403                  403                  403                  403                  403              403                  403  403
audit_event      csv             404                  200                  404                  404                  404                  404                  404                  404                  404              404                  404  404

calendar_ftm     feed            in                   out                  in                   in                   in                   in                   in                   in                   out              in                   out  out
calendar_hearing feed            in                   out                  in                   in                   in                   in                   in                   in                   in               in                   out  out
document         download        200                  200                  200                  200                  200                  200                  200                  404                  404                  404                  404                  404
document         api_list        in                   in                   in                   in                   in                   in                   in                   out                  out                  out                  out                  out
document         api_detail      200                  200                  200                  200                  200                  200                  200                  404                  404                  404                  404                  404
document         api_download    200                  200                  200                  200                  200                  200                  200                  404                  404                  404                  404                  404
document         add_page        200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403
document         api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  403
document         remove          302                  302                  403                  403                  403                  403                  403                  404                  404                  404                  404                  404
family_document  download        200                  200                  200                  200                  200                  200                  200                  200                  200                  200                  404                  200
family_document  api_list        in                   in                   in                   in                   in                   in                   in                   in                   in                   in                   out                  in
family_document  api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200                  200                  404                  200
family_document  api_download    200                  200                  200                  200                  200                  200                  200                  200                  200                  200                  404                  200
part2_document   download        200                  200                  200                  404                  404                  404                  404                  404                  404                  404                  404                  404
part2_document   api_list        in                   in                   in                   out                  out                  out                  out                  out                  out                  out                  out                  out
part2_document   api_detail      200                  200                  200                  404                  404                  404                  404                  404                  404                  404                  404                  404
part2_document   api_download    200                  200                  200                  404                  404                  404                  404                  404                  404                  404                  404                  404
part2_document   api_create      201                  201                  400                  400                  403                  403                  403                  403                  403                  403                  400                  403
removed_document download        404                  404                  404                  404                  404                  404                  404                  404                  404                  404                  404                  404
removed_document api_detail      404                  404                  404                  404                  404                  404                  404                  404                  404                  404                  404                  404
document         share           302                  302                  403                  403                  403                  403                  403                  404                  404                  404                  404                  404
document         home            out                  out                  out                  out                  out                  out                  out                  out                  out                  out                  out                  out
family_document  home            out                  out                  out                  out                  out                  out                  out                  out                  out                  out                  out                  in

team             page            200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200+contact          200-contact          200-contact          200-contact          404                  403
team             add_page        200                  200                  403                  403                  403                  403                  403                  403                  403                  403                  404                  403
team             end             302                  302                  403                  403                  403                  403                  403                  403                  403                  403                  404                  403
team             api_end         200                  200                  403                  403                  403                  403                  403                  403                  403                  403                  404                  403
team             person_add_page 200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403
tribe_notice     page            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            404                  403
tribe_notice     add_page        200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403
tribe_notice     edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
tribe_notice     api_list        in                   in                   in                   in                   in                   in                   in                   in                   in                   in                   out                  out
tribe_notice     api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200                  200                  404                  404
tribe_notice     api_write       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
tribe_notice     api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  403
relative         page            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            200+shown            404                  403
relative         edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  404
relative         api_detail      200                  200                  200                  200                  200                  200                  200                  200                  200                  200                  404                  404
active_efforts   edit_page       200                  200                  200                  200                  403                  403                  403                  403                  403                  403                  404                  403

calendar_visit   feed            in                   out                  in                   in                   in                   in                   in                   in                   out              in                   out  out

case_note        page            200+casenote         200+casenote         200+casenote         200+casenote         200+casenote         200+casenote         200+casenote         200-casenote         404                  200-casenote         404                  403
case_note        api_list        in                   in                   in                   in                   in                   in                   in                   out                  out                  out                  out                  out
case_note        api_detail      200                  200                  200                  200                  200                  200                  200                  404                  404                  404                  404                  404
case_note        api_write       403                  403                  200                  403                  403                  403                  403                  404                  404                  404                  404                  404
case_note        api_create      201                  201                  201                  201                  201                  201                  201                  201                  403                  201                  400                  403
case_note        add_page        302                  302                  302                  302                  302                  302                  302                  302                  404                  302                  404                  403
support_contact  page            200+support          200+support          404                  404                  404                  404                  404                  200+support          404                  200+support          404                  403
support_contact  api_list        in                   in                   out                  out                  out                  out                  out                  in                   out                  in                   out                  in
support_contact  api_detail      200                  200                  404                  404                  404                  404                  404                  200                  404                  200                  404                  200
support_contact  api_create      403                  403                  403                  403                  403                  403                  403                  201                  403                  201                  400                  403
support_contact  link            302                  302                  404                  404                  404                  404                  404                  403                  404                  403                  404                  403
feedback         page            200+feedback         200+feedback         200+feedback         200+feedback         200+feedback         200+feedback         200+feedback         200-feedback         200-feedback         200-feedback         404                  403
feedback         api_list        in+feedback          in+feedback          in+feedback          in+feedback          in+feedback          in+feedback          in+feedback          in-feedback          in-feedback          in-feedback          out                  out
feedback         api_detail      200+feedback         200+feedback         200+feedback         200+feedback         200+feedback         200+feedback         200+feedback         200-feedback         200-feedback         200-feedback         404                  404
feedback         api_create      201                  201                  201                  201                  403                  403                  403                  403                  403                  403                  400                  400
feedback         add_page        302                  302                  302                  302                  403                  403                  403                  403                  403                  403                  404                  403
part2_feedback   page            404                  404                  200                  404                  404                  404                  404                  404                  404                  404                  404                  403
part2_feedback   api_list        out                  out                  in                   out                  out                  out                  out                  out                  out                  out                  out                  out
part2_feedback   api_detail      404                  404                  200                  404                  404                  404                  404                  404                  404                  404                  404                  404
part2_feedback   api_create      400                  400                  201                  400                  400                  400                  400                  400                  400                  400                  400                  400
"""  # noqa: E501 - a table is read across
# Notes on single cells:
# - services as they are delivered (issue 22): `service_session` is a missed session of the
#   family's child-parent psychotherapy. Whoever reads the service reads its sessions (the
#   sessions page, with its note, and the API); the case's writers log one (`api_create`, the
#   page's form `add_page`), change one and mark the outreach after a missed one done
#   (`outreach`); the outreach due shows on the Community Coordinator's home (`home`). A POST
#   naming a service the caller may not see is a 400 on `service_id` (NONE, and the parent, for
#   whom a service is no record of theirs). `part2_session` is a session of Dorothy's
#   substance-use treatment: hidden exactly like its service (her release names the caseworker
#   role), the sessions page a 404 for everyone else, a POST a 400.
# - `ipv_screening`: Dorothy's intimate-partner violence screen (issue 22 item 4) is read by
#   the Community Coordinator, site admins, the caseworker and the clinician only (cases/access.py
#   `screening_rows`): on the case plan (`+ipv`), in the API; for everyone else it is no record
#   at all (404, absent, and a PATCH a 404).
# - a document is removed by whoever added it, the Community Coordinator or a site admin
#   (`document remove`: nobody uploaded this one, so the caseworker and clinician get a 403).
# - everyone does their own part (issue 22; cases/access.py RIGHTS): `mentor_item` is an FTM
#   action item owned by the parent mentor's role on the family (`owner_role`, no account
#   named), `gal_item` one owned by the GAL / CASA's: besides the case's writers, those who act
#   in that role mark it done (`status` to done, nothing else: `api_write_other` is a 403), in
#   the API or with the "Mark done" button of the FTM summary (`done_button`). A judge who is
#   the family's parent mentor acts as the mentor there. The court's view sees no FTM (404).
# - family time: a GAL / CASA volunteer logs what happened at a visit they supervise (`visit`,
#   nobody logged it as its supervisor yet: the API and the week's log buttons), not one that
#   another volunteer supervised and logged (`supervised_visit`, 403).
# - case notes: each member of the family team writes their own (`api_create`, the page's form
#   `add_page`, a 302 back to the page); the team's professionals read every note, a parent
#   mentor their own only (the note here is the caseworker's, so MENTOR and JUDGE+MENTOR do not
#   see it: 404 on detail, -casenote on the page); the court's view and the parent never. Its
#   author changes it on the day (CW 200), nobody else (403; 404 for who cannot see it).
# - support contacts: the parent mentor's, with Luis (their place names him). The Community
#   Coordinator, site admins and the family's parent mentors read them; Luis reads his own in
#   the API; nobody else (404: a record kind that is not theirs). Only a parent mentor logs one
#   (201; a 403 for everyone else who may see the case); only the Community Coordinator and
#   site admins link a mentor to the parent they support (`link`).
# - documents (cases/access.py `document_rows`): a document is read as what it is attached to.
#   `document` is an evaluation on the case, not shared with the family: the family team's
#   professionals; not the court's view (it reads what was filed at its hearings and the
#   orders), not the parent mentor's (court orders only: an evaluation may give an address).
#   `family_document` is an order filed at the hearing, shared with the family: everyone who
#   sees the case, the parent too. `part2_document` is the signed Part 2 release (it names the
#   caseworker role): the roles the release opens Dorothy's records to and those who record
#   releases (the coordinator, site admins); attaching one is theirs too (a writer of the case
#   gets a 400 on `consent_id`, as for a release they cannot see). `removed_document`: nobody.
#   A writer who may not see a document (MENTOR, JUDGE) gets a 404 on its removal. Sharing one
#   with the family is the coordinator's and the site admins' decision; the parent finds what
#   is shared on his home page.
# - consent page: a release is kept by the family team, not in the court's view nor the parent
#   mentor's (403: the case itself is theirs to see); the Part 2 release (it names the
#   caseworker role) shows to the coordinator, the site admins and the roles it names only: the
#   clinician, a case writer too, does not see it.
# - family_time_plan api_write and every api_create (a POST naming its parent), NONE: a parent
#   the caller may not see is a 400 on its field (`case_id`, `child_id`, `episode_id`), the
#   same answer as one that does not exist (cases/api/writes.py).
# - case api_create: a case is opened by the site's Community Coordinators and site admins
#   only; anyone else (of the site or not) gets a 403 for the site named.
# - PARENT: the father of the family, signed in. What he reads is cases/access.py RECORD_TYPES
#   `for_parent`: the case, his children, his own person (with his contact details; Dorothy,
#   the other parent, not at all), the family's FTMs without the discussion or attendance and
#   their family copies, the action items his person owns (he marks them done: `status` only),
#   the hearings without the court's findings, his children's family time without
#   observations; and on his home page his next FTM, coming family time and his own steps.
#   Every professional page of his family's case is a 403 (it is his family: nothing to hide
#   that it exists), a record kind that is not his a 404 or absent from a list, as for an
#   outsider. Holding another role at the site (caseworker+parent) changes nothing on this
#   family; a parent's place in a role not held (any more) at the site gives nothing.
# - family_time_plan api_write, NONE: a child the caller may not see is a 400 on `child_id`,
#   the same answer as a child that does not exist (familytime/api.py).
# - part2_service edit_page: the form of a Part 2 row the writer may not see is a 404.
# - episode and maltreatment edit_page, PARENT: the discharge and report forms open a record
#   that is not the parent's at all (RECORD_TYPES: no `for_parent`), a 404 as in the API; the
#   forms that add one (add_page) open the case, a 403 as every professional page of it.
# - hearing_summary, MENTOR: the summary brings screening results, services and court findings
#   together, more than the parent would share: a 404 (cases/hearings/selectors.py). A judge who
#   is also the parent mentor on the team keeps the court's summary (JUDGE+MENTOR: the rights
#   of both roles, and the confidential parts neither of them sees stay hidden).
# - court_recommendation: the clinician's short recommendation for the court. The family's
#   clinician writes it (api_create, add_page; every other writer of the case a 403); the
#   clinician, the Community Coordinator and the caseworker read it (they read the clinical
#   narrative too); the judge only under a release of mental-health information naming the
#   court that is in force (Dorothy's here; without one the judge reads nothing of it:
#   tests/test_court_progress.py). Site admins, attorneys, GAL/CASA and parent mentors never
#   (in the summary too: `-recommendation`). NONE's POST names a case they cannot see: a 400.
# - assessment narrative: the clinician, the Community Coordinator and the caseworker only
#   (README "The case plan"), so not the site admin.
# - placement address: hidden from the parent's attorney and the parent mentor (teams/roles.py
#   PLACEMENT_ADDRESS_ROLES).
# - case_closing / case_transfer: closing, reopening and transferring a case are the Community
#   Coordinator's and the site admin's (`can_close_case`); case_seal / case_purge the site
#   admin's only (`can_seal_case`). The pages open for them on any case; the service refuses an
#   open case or one inside its retention period (tests/test_case_closing.py). A transfer's
#   own page is site-wide, not a case's: who sees and decides it is tested there too.
# - site admins are on no team here: their calendar feed (the team's FTMs, hearings and
#   family time) holds nothing of the family; a judge's holds the site's unassigned hearings.


def _parse(text: str) -> tuple[list[str], dict[tuple[str, str], dict[str, str]]]:
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    columns = header[2:]
    matrix: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        assert len(row) == len(header), f"row {row[:2]} has {len(row)} cells, not {len(header)}"
        key = (row[0], row[1])
        assert key not in matrix, f"row {key} twice"
        matrix[key] = dict(zip(columns, row[2:], strict=True))
    return columns, matrix


COLUMNS, MATRIX = _parse(MATRIX_TEXT)
assert {p.acts_as for p in PERSONAS.values()} <= set(COLUMNS)

# --- The family, one record of every kind --------------------------------------------------------

TEXT = {  # what a page shows when it shows the field
    "contact": "555-0142",
    "address": "9 Wysteria Lane",
    "notes": "Quorlax discussion",
    "observations": "Quorlax observation",
    "narrative": "Quorlax narrative",
    "note": "Quorlax marker note",
    "part2": "Quorlax Recovery",
    "recommendation": "Quorlax recommendation",
    "casenote": "Quorlax case note",
    "support": "Quorlax support note",
    "session": "Quorlax session note",
    "ipv": "Intimate-partner violence screen",
    "feedback": "Quorlax provider note",
}
API_FIELDS = {
    "contact": ("phone", "email", "address"),
    "address": ("address",),
    "notes": Ftm.DISCUSSION_FIELDS,
    "observations": ("observations",),
    "narrative": tuple(NARRATIVE_FIELDS),
    "findings": (
        "findings",
        "continuance_reason",
        "reasonable_efforts",
        "reasonable_efforts_reason",
        "permanency_goal",
        "permanency_goal_approved",
        "attendance",
    ),
    "attendance": ("attendance",),
    "feedback": ("note",),
}


def build_world() -> SimpleNamespace:
    north = f.SiteFactory(slug="north", name="North County Safe Babies")
    south = f.SiteFactory(slug="south", name="South County Safe Babies")
    case = f.CaseFactory(site=north, name="Rivera family")
    child = f.ChildFactory(case=case, given_name="Jaime", family_name="Rivera")
    parent = f.PersonFactory(
        case=case,
        given_name="Dorothy",
        family_name="Rivera",
        phone=TEXT["contact"],
        email="dorothy@example.org",
        address="3 Oak Road",
        family_copies=["paper"],
    )
    Relationship.objects.create(person=parent, child=child, kind=Relationship.Kind.MOTHER)
    father = f.PersonFactory(
        case=case,
        kind="parent",
        given_name="Luis",
        family_name="Rivera",
        phone="555-0199",
        email="luis@example.org",
        address="5 Elm Street",
    )
    Relationship.objects.create(person=father, child=child, kind=Relationship.Kind.FATHER)
    other_case = f.CaseFactory(site=north, name="Okafor family")
    other_parent = f.PersonFactory(case=other_case, kind="parent", given_name="Ada")
    episode = f.EpisodeFactory(child=child)
    placement = f.PlacementFactory(episode=episode, address=TEXT["address"])
    plan = f.PermanencyPlanFactory(child=child)
    hearing = f.HearingFactory(case=case, scheduled_on=dt.date(2026, 12, 3))  # no judge yet
    ftm = Ftm.objects.create(
        case=case,
        scheduled_on=dt.date(2026, 11, 30),
        location="Family room",
        notes=TEXT["notes"],
        worries="Quorlax worries",
    )
    action_item = FtmActionItem.objects.create(
        ftm=ftm, description="Call the housing authority", due_on=dt.date(2026, 12, 20)
    )
    own_action_item = FtmActionItem.objects.create(
        ftm=ftm,
        description="Visit the housing navigator",
        due_on=dt.date(2026, 12, 20),
        owner_person=father,
    )
    visit = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 11, 20),
        status=codes.VisitStatus.HELD,
        duration_minutes=60,
        supervision=codes.Supervision.SUPERVISED,
        location=codes.VisitLocation.AGENCY,
        observations=TEXT["observations"],
    )
    coming_visit = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 11, 25),
        location=codes.VisitLocation.AGENCY,
    )
    family_time_plan = FamilyTimePlan.objects.create(
        child=child,
        parent=parent,
        effective_from=dt.date(2026, 10, 1),
        visits_per_week=3,
        supervision=codes.Supervision.SUPERVISED,
    )
    screening = Screening.objects.create(
        case=case,
        child=child,
        subject=codes.ScreeningSubject.CHILD,
        instrument=codes.Instrument.ASQ3,
        screened_on=dt.date(2026, 3, 10),
        result=codes.ScreeningResult.NO_CONCERN,
    )
    part2_screening = Screening.objects.create(
        case=case,
        person=parent,
        subject=codes.ScreeningSubject.PARENT,
        instrument=codes.Instrument.SUBSTANCE_USE,
        screened_on=dt.date(2026, 3, 11),
        result=codes.ScreeningResult.REFER,
    )
    service = Service.objects.create(
        case=case,
        child=child,
        recipient=codes.ServiceRecipient.DYAD,
        service_type=codes.ServiceType.CHILD_PARENT_PSYCHOTHERAPY,
        referred_on=dt.date(2026, 3, 12),
    )
    part2_service = Service.objects.create(
        case=case,
        person=parent,
        recipient=codes.ServiceRecipient.PARENT,
        service_type=codes.ServiceType.SUBSTANCE_USE_TREATMENT,
        provider=TEXT["part2"],
        referred_on=dt.date(2026, 3, 12),
    )
    # a missed session of the family's child-parent psychotherapy (its outreach not done yet),
    # one of Dorothy's substance-use treatment, and Dorothy's IPV screen (issue 22)
    service_session = ServiceSession.objects.create(
        service=service, held_on=dt.date(2026, 11, 18), attendance="missed", note=TEXT["session"]
    )
    part2_session = ServiceSession.objects.create(
        service=part2_service, held_on=dt.date(2026, 11, 18), attendance="attended", minutes=50
    )
    ipv_screening = Screening.objects.create(
        case=case,
        person=parent,
        subject=codes.ScreeningSubject.PARENT,
        instrument=codes.Instrument.IPV,
        screened_on=dt.date(2026, 11, 2),
        result=codes.ScreeningResult.REFER,
    )
    goal = Goal.objects.create(case=case, child=child, description="Quorlax goal")
    goal_step = GoalStep.objects.create(goal=goal, text="Quorlax step")
    assessment = Assessment.objects.create(
        case=case,
        child=child,
        lens="child",
        assessed_on=dt.date(2026, 10, 3),
        history=TEXT["narrative"],
    )
    MarkerRating.objects.create(
        case=case,
        child=child,
        marker="secure_relationships",
        rated_on=dt.date(2026, 11, 2),
        score=2,
        note=TEXT["note"],
    )
    part2_consent = Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=case,
        person=parent,
        category=Consent.Category.SUBSTANCE_USE_TREATMENT,
        recipient_role=CW,
        granted_on=dt.date(2026, 3, 1),
        expires_on=dt.date(2027, 3, 1),
    )
    document = f.document(case, kind="evaluation", name="evaluation.pdf")
    family_document = f.document(case, hearing=hearing, shared_with_family=True)
    part2_document = f.document(case, consent=part2_consent, kind="signed_release")
    removed_document = f.document(
        case, shared_with_family=True, removed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    child.icwa = codes.Icwa.REASON_TO_KNOW
    child.save(update_fields=["icwa"])
    tribe = TribeNotice.objects.create(
        child=child, tribe="Quorlax Nation", notice_sent_on=dt.date(2026, 11, 2)
    )
    relative = f.PersonFactory(case=case, kind="relative", given_name="Rosa", family_name="Lopez")
    report = MaltreatmentReport.objects.create(
        child=child,
        reported_on=dt.date(2026, 2, 20),
        disposition=codes.MaltreatmentDisposition.SUBSTANTIATED,
    )
    # the clinician's recommendation for the court, and Dorothy's release of it to the court
    court_recommendation = CourtRecommendation.objects.create(
        case=case, written_on=dt.date(2026, 11, 20), text=TEXT["recommendation"]
    )
    Consent.objects.create(
        confirmed_at=f.CONFIRMED,
        case=case,
        person=parent,
        category=Consent.Category.MENTAL_HEALTH,
        recipient_role=JUDGE,
        granted_on=dt.date(2026, 11, 1),
        expires_on=dt.date(2027, 11, 1),
    )
    audit_event = AuditEvent.objects.create(
        action="view", record_type="cases.case", record_id=case.pk, case_id=case.pk, site=north
    )
    users = {}
    for name, persona in PERSONAS.items():
        email = f"{name.replace('+', '.')}@example.org"
        site = north if persona.site == "north" else south
        user = f.site_member(site, *persona.roles, email=email, former=persona.former)
        if persona.team:
            # a parent's place is the parent; a parent mentor's names the parent they support
            person = father if persona.team in (PARENT, PM) else None
            f.TeamMemberFactory(case=case, user=user, role=persona.team, person=person)
        if persona.parent_elsewhere:
            f.TeamMemberFactory(case=other_case, user=user, role=PARENT, person=other_parent)
        CalendarFeed.objects.create(user=user, token_hash=CalendarFeed.hash(f"feed-{name}"))
        users[name] = user.pk
    newcomer = f.site_member(north, CW, email="newcomer@example.org")
    teammate = f.site_member(north, CLIN, email="teammate@example.org")
    teammate_place = f.TeamMemberFactory(case=case, user=teammate, role=CLIN)
    mentor_item = FtmActionItem.objects.create(
        ftm=ftm, description="Drive Luis to court", due_on=dt.date(2026, 12, 3), owner_role=PM
    )
    gal_item = FtmActionItem.objects.create(
        ftm=ftm, description="Visit the home", due_on=dt.date(2026, 12, 10), owner_role=GAL
    )
    other_casa = f.site_member(north, GAL, email="other.casa@example.org")
    supervised_visit = Visit.objects.create(
        child=child,
        scheduled_on=dt.date(2026, 11, 18),
        status=codes.VisitStatus.HELD,
        duration_minutes=60,
        supervisor=other_casa,
    )
    case_note = CaseNote.objects.create(
        case=case,
        author_id=users["caseworker"],
        author_role=CW,
        written_at=NOW,
        text=TEXT["casenote"],
    )
    support_contact = SupportContact.objects.create(
        case=case,
        person=father,
        mentor_id=users["parent_mentor"],
        contacted_on=dt.date(2026, 11, 20),
        kind="court_support",
        minutes=90,
        shared_note=TEXT["support"],
        parent_agreed=True,
    )
    mentor_place = TeamMember.objects.get(case=case, user_id=users["parent_mentor"], role=PM)
    feedback = ReferralFeedback.objects.create(
        service=service,
        received_on=dt.date(2026, 11, 20),
        status="contacted_family",
        note=TEXT["feedback"],
    )
    part2_feedback = ReferralFeedback.objects.create(
        service=part2_service,
        received_on=dt.date(2026, 11, 20),
        status="first_appointment_scheduled",
        note="Quorlax intake booked",
    )
    return SimpleNamespace(
        feedback=feedback.pk,
        part2_feedback=part2_feedback.pk,
        mentor_item=mentor_item.pk,
        gal_item=gal_item.pk,
        supervised_visit=supervised_visit.pk,
        case_note=case_note.pk,
        support_contact=support_contact.pk,
        mentor_place=mentor_place.pk,
        case=case.pk,
        child=child.pk,
        person=parent.pk,
        own_person=father.pk,
        episode=episode.pk,
        placement=placement.pk,
        plan=plan.pk,
        hearing=hearing.pk,
        ftm=ftm.pk,
        action_item=action_item.pk,
        own_action_item=own_action_item.pk,
        visit=visit.pk,
        coming_visit=coming_visit.pk,
        family_time_plan=family_time_plan.pk,
        screening=screening.pk,
        part2_screening=part2_screening.pk,
        service=service.pk,
        part2_service=part2_service.pk,
        service_session=service_session.pk,
        part2_session=part2_session.pk,
        ipv_screening=ipv_screening.pk,
        goal=goal.pk,
        goal_step=goal_step.pk,
        assessment=assessment.pk,
        part2_consent=part2_consent.pk,
        document=document.pk,
        family_document=family_document.pk,
        part2_document=part2_document.pk,
        removed_document=removed_document.pk,
        report=report.pk,
        tribe=tribe.pk,
        relative=relative.pk,
        teammate_place=teammate_place.pk,
        audit_event=audit_event.pk,
        court_recommendation=court_recommendation.pk,
        users=users,
        newcomer=newcomer.email,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The family and the personas (each signed in once), built for the module in one
    transaction rolled back after it, with the clock at NOW throughout. Each cell runs in a
    savepoint of its own (pytest-django's), so what a cell writes no other cell sees; the
    answers to GETs are kept for the module (the case page serves three records)."""
    blocker = django_db_blocker.unblock()
    with blocker, time_machine.travel(NOW, tick=False), transaction.atomic():
        world = build_world()
        world.clients = {}
        for name, pk in world.users.items():
            client = APIClient()
            client.force_login(User.objects.get(pk=pk))
            world.clients[name] = client
        world.responses = {}  # (persona, url) -> the answer to a GET, asked once
        yield world
        transaction.set_rollback(True)


# --- How each cell is asked ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    how: str  # page | link | mark | list | detail | write | form | upload | feed
    url: str  # formatted with the world's ids: "{case}", "{ftm}"...
    record: str = ""  # the world's id of the record a list or feed must hold
    method: str = "get"
    body: dict | None = None
    text_for: str = ""  # the record whose text stands for `part2` (or `shown`) on this page


def api(path: str, record: str) -> dict[str, Ask]:
    return {
        "api_list": Ask("list", f"/api/v1/{path}/?case={{case}}", record),
        "api_detail": Ask("detail", f"/api/v1/{path}/{{{record}}}/", record),
    }


CASE_PAGE = "/cases/{case}/"
PLAN_PAGE = "/cases/{case}/plan/"
ASKS: dict[tuple[str, str], Ask] = {
    ("case", "page"): Ask("page", CASE_PAGE),
    ("case", "search"): Ask("link", "/cases/?q=Rivera&status=all"),
    ("case", "home"): Ask("link", "/"),
    ("case", "edit_page"): Ask("page", "/cases/{case}/edit/"),
    **{("case", a): ask for a, ask in api("cases", "case").items()},
    ("team", "api_list"): Ask("page", "/api/v1/cases/{case}/team-members/"),
    ("team", "api_write"): Ask(
        "write",
        "/api/v1/cases/{case}/team-members/",
        method="post",
        body={"email": "{newcomer}", "role": CW},
    ),
    ("child", "edit_page"): Ask("page", "/cases/{case}/children/{child}/edit/"),
    **{("child", a): ask for a, ask in api("children", "child").items()},
    ("person", "page"): Ask("page", CASE_PAGE),
    ("person", "edit_page"): Ask("page", "/cases/{case}/people/{person}/edit/"),
    **{("person", a): ask for a, ask in api("people", "person").items()},
    **{("own_person", a): ask for a, ask in api("people", "own_person").items()},
    **{("episode", a): ask for a, ask in api("episodes", "episode").items()},
    ("episode", "page"): Ask("page", CASE_PAGE, text_for="episode"),
    ("episode", "add_page"): Ask("page", "/cases/{case}/removals/new/"),
    ("episode", "edit_page"): Ask("page", "/cases/{case}/removals/{episode}/discharge/"),
    ("placement", "page"): Ask("page", CASE_PAGE),
    ("placement", "edit_page"): Ask("page", "/cases/{case}/placements/{placement}/end/"),
    **{("placement", a): ask for a, ask in api("placements", "placement").items()},
    **{("permanency_plan", a): ask for a, ask in api("permanency-plans", "plan").items()},
    ("permanency_plan", "api_write"): Ask(
        "write",
        "/api/v1/permanency-plans/",
        method="post",
        body={
            "child_id": "{child}",
            "effective_date": "2026-11-23",
            "primary_goal": "reunification",
            "concurrent_goal": "adoption",
            "reason": "The concurrent plan changed.",
        },
    ),
    ("hearing", "edit_page"): Ask("page", "/cases/{case}/hearings/{hearing}/outcome/"),
    **{("hearing", a): ask for a, ask in api("hearings", "hearing").items()},
    ("hearing_summary", "page"): Ask("page", "/cases/{case}/hearings/{hearing}/summary/"),
    ("hearing_summary", "api_detail"): Ask("page", "/api/v1/hearings/{hearing}/summary/"),
    ("hearing_summary", "pdf"): Ask("page", "/api/v1/hearings/{hearing}/summary/?format=pdf"),
    ("ftm", "page"): Ask("page", "/ftms/{ftm}/"),
    ("ftm", "family_copy"): Ask("page", "/ftms/{ftm}/family/"),
    ("ftm", "family_send"): Ask("page", "/ftms/{ftm}/family/send/"),
    # Dorothy agreed to a copy on paper; the meeting is not held yet, so the PDF is refused and
    # the coordinator sent back to the send page (the copy is ready once the meeting is held)
    ("ftm", "family_pdf"): Ask("page", "/ftms/{ftm}/family/pdf/{person}/"),
    **{("ftm", a): ask for a, ask in api("ftms", "ftm").items()},
    ("ftm", "api_write"): Ask(
        "write", "/api/v1/ftms/{ftm}/", method="patch", body={"location": "Video call"}
    ),
    **{("action_item", a): ask for a, ask in api("ftm-action-items", "action_item").items()},
    ("action_item", "api_write"): Ask(
        "write",
        "/api/v1/ftm-action-items/{action_item}/",
        method="patch",
        body={"description": "Call the housing authority again"},
    ),
    **{
        ("own_action_item", a): ask for a, ask in api("ftm-action-items", "own_action_item").items()
    },
    ("own_action_item", "api_write"): Ask(
        "write",
        "/api/v1/ftm-action-items/{own_action_item}/",
        method="patch",
        body={"status": "done"},
    ),
    ("own_action_item", "api_write_other"): Ask(
        "write",
        "/api/v1/ftm-action-items/{own_action_item}/",
        method="patch",
        body={"description": "Visit the housing navigator twice"},
    ),
    ("own_action_item", "done_button"): Ask(
        "write", "/family/items/{own_action_item}/done/", method="post", body={}
    ),
    ("own_action_item", "home"): Ask("mark", "/", "own_action_item"),
    ("ftm", "home"): Ask("mark", "/", "ftm"),
    ("coming_visit", "home"): Ask("mark", "/", "coming_visit"),
    ("visit", "log_button"): Ask(
        "form",
        "/cases/{case}/family-time/visits/{visit}/",
        method="post",
        body={"status": "held", "duration_minutes": "50"},
    ),
    ("supervised_visit", "api_write"): Ask(
        "write",
        "/api/v1/family-time/{supervised_visit}/",
        method="patch",
        body={"duration_minutes": 45},
    ),
    ("mentor_item", "api_write"): Ask(
        "write", "/api/v1/ftm-action-items/{mentor_item}/", method="patch", body={"status": "done"}
    ),
    ("mentor_item", "api_write_other"): Ask(
        "write",
        "/api/v1/ftm-action-items/{mentor_item}/",
        method="patch",
        body={"description": "Drive Luis to court and back"},
    ),
    ("mentor_item", "done_button"): Ask(
        "write", "/ftms/items/{mentor_item}/done/", method="post", body={}
    ),
    ("gal_item", "done_button"): Ask(
        "write", "/ftms/items/{gal_item}/done/", method="post", body={}
    ),
    ("case_note", "page"): Ask("page", "/cases/{case}/notes/"),
    **{("case_note", a): ask for a, ask in api("case-notes", "case_note").items()},
    ("case_note", "api_write"): Ask(
        "write", "/api/v1/case-notes/{case_note}/", method="patch", body={"text": "Corrected."}
    ),
    ("case_note", "api_create"): Ask(
        "write",
        "/api/v1/case-notes/",
        method="post",
        body={"case_id": "{case}", "text": "Luis came to the FTM early."},
    ),
    ("case_note", "add_page"): Ask(
        "form", "/cases/{case}/notes/", method="post", body={"text": "A note of mine."}
    ),
    ("support_contact", "page"): Ask("page", "/cases/{case}/support/"),
    **{
        ("support_contact", a): ask for a, ask in api("support-contacts", "support_contact").items()
    },
    ("support_contact", "api_create"): Ask(
        "write",
        "/api/v1/support-contacts/",
        method="post",
        body={
            "case_id": "{case}",
            "person_id": "{own_person}",
            "contacted_on": "2026-11-22",
            "kind": "transport",
            "minutes": 45,
        },
    ),
    ("support_contact", "link"): Ask(
        "form",
        "/cases/{case}/support/link/",
        method="post",
        body={"place": "{mentor_place}", "person_id": "{own_person}"},
    ),
    ("feedback", "page"): Ask("page", "/cases/{case}/plan/services/{service}/feedback/"),
    **{("feedback", a): ask for a, ask in api("referral-feedback", "feedback").items()},
    ("feedback", "api_create"): Ask(
        "write",
        "/api/v1/referral-feedback/",
        method="post",
        body={"service_id": "{service}", "received_on": "2026-11-22", "status": "received"},
    ),
    ("feedback", "add_page"): Ask(
        "form",
        "/cases/{case}/plan/services/{service}/feedback/",
        method="post",
        body={"received_on": "2026-11-22", "status": "waitlisted", "note": "Six weeks."},
    ),
    ("part2_feedback", "page"): Ask(
        "page", "/cases/{case}/plan/services/{part2_service}/feedback/"
    ),
    **{("part2_feedback", a): ask for a, ask in api("referral-feedback", "part2_feedback").items()},
    ("part2_feedback", "api_create"): Ask(
        "write",
        "/api/v1/referral-feedback/",
        method="post",
        body={"service_id": "{part2_service}", "received_on": "2026-11-22", "status": "received"},
    ),
    ("visit", "page"): Ask("page", "/cases/{case}/family-time/?week=2026-11-16"),
    **{("visit", a): ask for a, ask in api("family-time", "visit").items()},
    ("visit", "api_write"): Ask(
        "write", "/api/v1/family-time/{visit}/", method="patch", body={"duration_minutes": 45}
    ),
    **{
        ("family_time_plan", a): ask
        for a, ask in api("family-time-plans", "family_time_plan").items()
    },
    ("family_time_plan", "api_write"): Ask(
        "write",
        "/api/v1/family-time-plans/",
        method="post",
        body={
            "child_id": "{child}",
            "effective_from": "2026-11-23",
            "visits_per_week": "4",
            "supervision": "monitored",
        },
    ),
    **{("screening", a): ask for a, ask in api("screenings", "screening").items()},
    ("screening", "api_write"): Ask(
        "write", "/api/v1/screenings/{screening}/", method="patch", body={"result": "monitor"}
    ),
    **{("part2_screening", a): ask for a, ask in api("screenings", "part2_screening").items()},
    **{("service", a): ask for a, ask in api("services", "service").items()},
    ("service", "api_write"): Ask(
        "write", "/api/v1/services/{service}/", method="patch", body={"provider": "Early Steps"}
    ),
    ("part2_service", "page"): Ask("page", PLAN_PAGE),
    ("part2_service", "edit_page"): Ask("page", "/cases/{case}/plan/services/{part2_service}/"),
    **{("part2_service", a): ask for a, ask in api("services", "part2_service").items()},
    ("service_session", "page"): Ask("page", "/cases/{case}/plan/services/{service}/sessions/"),
    **{
        ("service_session", a): ask for a, ask in api("service-sessions", "service_session").items()
    },
    ("service_session", "api_write"): Ask(
        "write",
        "/api/v1/service-sessions/{service_session}/",
        method="patch",
        body={"caregiver": "both"},
    ),
    ("service_session", "api_create"): Ask(
        "write",
        "/api/v1/service-sessions/",
        method="post",
        body={"service_id": "{service}", "held_on": "2026-11-20", "attendance": "attended"},
    ),
    ("service_session", "add_page"): Ask(
        "form",
        "/cases/{case}/plan/services/{service}/sessions/",
        body={"held_on": "2026-11-20", "attendance": "attended"},
    ),
    ("service_session", "outreach"): Ask(
        "form", "/cases/{case}/plan/sessions/{service_session}/outreach/", body={}
    ),
    ("service_session", "home"): Ask("mark", "/", "service_session"),
    ("part2_session", "page"): Ask("page", "/cases/{case}/plan/services/{part2_service}/sessions/"),
    **{("part2_session", a): ask for a, ask in api("service-sessions", "part2_session").items()},
    ("part2_session", "api_create"): Ask(
        "write",
        "/api/v1/service-sessions/",
        method="post",
        body={"service_id": "{part2_service}", "held_on": "2026-11-20", "attendance": "attended"},
    ),
    ("ipv_screening", "page"): Ask("page", PLAN_PAGE),
    **{("ipv_screening", a): ask for a, ask in api("screenings", "ipv_screening").items()},
    ("ipv_screening", "api_write"): Ask(
        "write",
        "/api/v1/screenings/{ipv_screening}/",
        method="patch",
        body={"result": "monitor"},
    ),
    ("goal", "page"): Ask("page", PLAN_PAGE),
    ("goal_step", "page"): Ask("page", PLAN_PAGE),
    ("goal_step", "tick"): Ask(
        "write", "/cases/{case}/plan/steps/{goal_step}/done/", method="post", body={"done": "yes"}
    ),
    ("goal_step", "add_page"): Ask("page", "/cases/{case}/plan/goals/{goal}/steps/"),
    **{("goal", a): ask for a, ask in api("goals", "goal").items()},
    ("goal", "api_write"): Ask(
        "write", "/api/v1/goals/{goal}/", method="patch", body={"responsible": "The caseworker"}
    ),
    ("assessment", "page"): Ask("page", "/cases/{case}/plan/assessments/{assessment}/"),
    **{("assessment", a): ask for a, ask in api("assessments", "assessment").items()},
    ("assessment", "api_write"): Ask(
        "write",
        "/api/v1/assessments/",
        method="post",
        body={
            "case_id": "{case}",
            "child_id": "{child}",
            "lens": "child",
            "assessed_on": "2026-11-20",
            "strengths": "Plays with the parent.",
        },
    ),
    ("marker", "page"): Ask("page", PLAN_PAGE),
    ("marker", "edit_page"): Ask("page", "/cases/{case}/plan/markers/child/{child}/"),
    ("consent", "page"): Ask("page", "/cases/{case}/consents/", text_for="part2_consent"),
    ("consent", "edit_page"): Ask("page", "/cases/{case}/consents/new/"),
    ("consent", "confirm_page"): Ask("page", "/cases/{case}/consents/{part2_consent}/confirm/"),
    **{("maltreatment", a): ask for a, ask in api("maltreatment-reports", "report").items()},
    ("maltreatment", "page"): Ask("page", CASE_PAGE, text_for="report"),
    ("maltreatment", "add_page"): Ask(
        "page", "/cases/{case}/children/{child}/maltreatment-reports/new/"
    ),
    ("maltreatment", "edit_page"): Ask("page", "/cases/{case}/maltreatment-reports/{report}/edit/"),
    ("case_closing", "page"): Ask("page", "/cases/{case}/close/"),
    ("case_transfer", "page"): Ask("page", "/cases/{case}/transfer/"),
    ("case_seal", "page"): Ask("page", "/cases/{case}/seal/"),
    ("case_purge", "page"): Ask("page", "/cases/{case}/purge/"),
    ("court_recommendation", "page"): Ask("page", CASE_PAGE),
    **{
        ("court_recommendation", a): ask
        for a, ask in api("court-recommendations", "court_recommendation").items()
    },
    ("court_recommendation", "api_create"): Ask(
        "write",
        "/api/v1/court-recommendations/",
        method="post",
        body={"case_id": "{case}", "text": "Keep the weekly sessions."},
    ),
    ("court_recommendation", "add_page"): Ask("page", "/cases/{case}/court-recommendations/new/"),
    ("audit_event", "api_list"): Ask("list", "/api/v1/audit-events/?case={case}", "audit_event"),
    ("audit_event", "csv"): Ask("page", "/accounts/sites/north/audit.csv"),
    ("calendar_ftm", "feed"): Ask("feed", "/calendar/feed-{persona}.ics", "ftm"),
    ("calendar_hearing", "feed"): Ask("feed", "/calendar/feed-{persona}.ics", "hearing"),
    ("calendar_visit", "feed"): Ask("feed", "/calendar/feed-{persona}.ics", "visit"),
    ("case", "api_write"): Ask(
        "write", "/api/v1/cases/{case}/", method="patch", body={"name": "Rivera-Lopez family"}
    ),
    ("case", "api_create"): Ask(
        "write", "/api/v1/cases/", method="post", body={"site": "north", "opened_on": "2026-11-02"}
    ),
    ("child", "api_write"): Ask(
        "write", "/api/v1/children/{child}/", method="patch", body={"docket_number": "JD-9"}
    ),
    ("child", "api_create"): Ask(
        "write",
        "/api/v1/children/",
        method="post",
        body={"case_id": "{case}", "birth_date": "2026-06-01", "enrolled_on": "2026-11-02"},
    ),
    ("person", "api_write"): Ask(
        "write", "/api/v1/people/{person}/", method="patch", body={"preferred_language": "es"}
    ),
    ("person", "api_create"): Ask(
        "write",
        "/api/v1/people/",
        method="post",
        body={"case_id": "{case}", "kind": "support", "given_name": "Lee"},
    ),
    ("episode", "api_write"): Ask(
        "write", "/api/v1/episodes/{episode}/", method="patch", body={"manner": "voluntary"}
    ),
    ("episode", "api_create"): Ask(
        "write",
        "/api/v1/episodes/",
        method="post",
        body={
            "child_id": "{child}",
            "removal_date": "2025-08-01",
            "discharge_date": "2025-09-01",
            "discharge_reason": "reunification",
        },
    ),
    ("placement", "api_write"): Ask(
        "write", "/api/v1/placements/{placement}/", method="patch", body={"setting": "pre_adoptive"}
    ),
    ("placement", "api_create"): Ask(
        "write",
        "/api/v1/placements/",
        method="post",
        body={
            "episode_id": "{episode}",
            "setting": "respite",
            "start_date": "2026-11-13",
            "end_date": "2026-11-15",
        },
    ),
    ("hearing", "api_write"): Ask(
        "write", "/api/v1/hearings/{hearing}/", method="patch", body={"courtroom": "3B"}
    ),
    ("hearing", "api_create"): Ask(
        "write",
        "/api/v1/hearings/",
        method="post",
        body={"case_id": "{case}", "hearing_type": "review", "scheduled_on": "2026-12-17"},
    ),
    **{("document", a): ask for a, ask in api("documents", "document").items()},
    **{("family_document", a): ask for a, ask in api("documents", "family_document").items()},
    **{("part2_document", a): ask for a, ask in api("documents", "part2_document").items()},
    ("removed_document", "api_detail"): api("documents", "removed_document")["api_detail"],
    **{
        (record, "download"): Ask("page", f"/cases/{{case}}/documents/{{{record}}}/")
        for record in ("document", "family_document", "part2_document", "removed_document")
    },
    **{
        (record, "api_download"): Ask("page", f"/api/v1/documents/{{{record}}}/download/")
        for record in ("document", "family_document", "part2_document")
    },
    ("document", "add_page"): Ask("page", "/cases/{case}/documents/new/"),
    ("document", "api_create"): Ask(
        "upload", "/api/v1/documents/", method="post", body={"case_id": "{case}", "kind": "ifsp"}
    ),
    ("part2_document", "api_create"): Ask(
        "upload",
        "/api/v1/documents/",
        method="post",
        body={"case_id": "{case}", "consent_id": "{part2_consent}", "kind": "signed_release"},
    ),
    ("document", "share"): Ask(
        "write", "/cases/{case}/documents/{document}/share/", method="post", body={"shared": "yes"}
    ),
    ("document", "home"): Ask("mark", "/", "document"),
    ("family_document", "home"): Ask("mark", "/", "family_document"),
    ("document", "remove"): Ask(
        "write", "/cases/{case}/documents/{document}/remove/", method="post", body={}
    ),
    ("maltreatment", "api_write"): Ask(
        "write",
        "/api/v1/maltreatment-reports/{report}/",
        method="patch",
        body={"disposition": "indicated"},
    ),
    ("maltreatment", "api_create"): Ask(
        "write",
        "/api/v1/maltreatment-reports/",
        method="post",
        body={"child_id": "{child}", "reported_on": "2026-11-02", "disposition": "indicated"},
    ),
    # the family team page (cases/team) and ICWA and relatives (cases/icwa)
    ("team", "page"): Ask("page", "/cases/{case}/team/"),
    ("team", "add_page"): Ask("page", "/cases/{case}/team/add/"),
    ("team", "end"): Ask(
        "write", "/cases/{case}/team/{teammate_place}/end/", method="post", body={}
    ),
    ("team", "api_end"): Ask(
        "write",
        "/api/v1/cases/{case}/team-members/{teammate_place}/end/",
        method="post",
        body={},
    ),
    ("team", "person_add_page"): Ask("page", "/cases/{case}/team/people/new/"),
    ("tribe_notice", "page"): Ask("page", CASE_PAGE, text_for="tribe"),
    ("tribe_notice", "add_page"): Ask("page", "/cases/{case}/tribe-notices/new/"),
    ("tribe_notice", "edit_page"): Ask("page", "/cases/{case}/tribe-notices/{tribe}/edit/"),
    **{("tribe_notice", a): ask for a, ask in api("tribe-notices", "tribe").items()},
    ("tribe_notice", "api_write"): Ask(
        "write",
        "/api/v1/tribe-notices/{tribe}/",
        method="patch",
        body={"response_on": "2026-11-20", "response": "Jaime is eligible for membership."},
    ),
    ("tribe_notice", "api_create"): Ask(
        "write",
        "/api/v1/tribe-notices/",
        method="post",
        body={"child_id": "{child}", "tribe": "Quorlax Band", "notice_sent_on": "2026-11-20"},
    ),
    ("relative", "page"): Ask("page", CASE_PAGE, text_for="relative"),
    ("relative", "edit_page"): Ask("page", "/cases/{case}/people/{relative}/notified/"),
    ("relative", "api_detail"): api("people", "relative")["api_detail"],
    ("active_efforts", "edit_page"): Ask(
        "page", "/cases/{case}/hearings/{hearing}/active-efforts/"
    ),
}
assert set(ASKS) == set(MATRIX), set(ASKS) ^ set(MATRIX)

CELLS = [
    pytest.param(persona, record, action, id=f"{persona}-{record}-{action}")
    for persona in PERSONAS
    for record, action in MATRIX
]


def _fill(template: str, world: SimpleNamespace, persona: str) -> str:
    values = {**vars(world), "persona": persona}
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)


def _signs(expected: str) -> list[str]:
    return re.findall(r"[+-](\w+)", expected)


def _page_sign(field: str, body: str, world: SimpleNamespace, ask: Ask) -> str:
    if field == "part2" and ask.text_for:
        text = f'id="consent-{getattr(world, ask.text_for)}"'
    elif field == "shown":  # the record's own row on the page (the time in care section)
        text = f'id="{ask.text_for}-{getattr(world, ask.text_for)}"'
    else:
        text = TEXT[field]
    return "+" if text in body else "-"


def _api_sign(field: str, row: dict) -> str:
    present = [name in row for name in API_FIELDS[field]]
    return "+" if all(present) else "-" if not any(present) else "?"


def _get(world: SimpleNamespace, persona: str, url: str, client: APIClient):
    """A GET, asked once per persona and address (the case page serves three records)."""
    key = (persona, url)
    if key not in world.responses:
        world.responses[key] = client.get(url)
    return world.responses[key]


def _api_client(world: SimpleNamespace, persona: str) -> APIClient:
    """The API as `persona` (read afresh, as each request does; the bearer-token sign-in itself
    is tests/test_api_auth.py's)."""
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=world.users[persona]))
    return client


def answer(world: SimpleNamespace, persona: str, ask: Ask, expected: str) -> str:
    """What the app answers, written as MATRIX writes it (with the fields `expected` names)."""
    url = _fill(ask.url, world, persona)
    # pages: the session signed in once for the module; the API: the user read afresh
    client = _api_client(world, persona) if url.startswith("/api/") else world.clients[persona]
    fields = _signs(expected)
    if ask.how == "feed":
        response = _get(world, persona, url, APIClient())  # no session: the token is the key
        assert response.status_code == 200, (url, response.status_code)
        record = str(getattr(world, ask.record))
        return "in" if record in response.content.decode() else "out"
    if ask.how == "upload":  # a multipart POST with a small PDF
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {key: _fill(value, world, persona) for key, value in (ask.body or {}).items()}
        data["file"] = SimpleUploadedFile("plan.pdf", f.PDF_BYTES, "application/pdf")
        return str(client.post(url, data, format="multipart").status_code)
    if ask.how == "form":  # a page's form, posted as a browser does
        data = {key: _fill(value, world, persona) for key, value in (ask.body or {}).items()}
        return str(client.post(url, data, format="multipart").status_code)
    if ask.how == "write":
        body = {
            key: _fill(value, world, persona) if isinstance(value, str) else value
            for key, value in (ask.body or {}).items()
        }
        response = getattr(client, ask.method)(url, body, format="json")
        return str(response.status_code)
    response = _get(world, persona, url, client)
    status = response.status_code
    if ask.how == "list":
        if status != 200:
            return str(status)
        rows = {row["id"]: row for row in response.json()["results"]}
        row = rows.get(getattr(world, ask.record))
        if row is None:
            return "out"
        return "in" + "".join(_api_sign(field, row) + field for field in fields)
    if ask.how == "link":
        if status != 200:
            return str(status)
        return "in" if f'href="/cases/{world.case}/"' in response.content.decode() else "out"
    if ask.how == "mark":
        if status != 200:
            return str(status)
        mark = f'data-record="{getattr(world, ask.record)}"'
        return "in" if mark in response.content.decode() else "out"
    if status != 200:
        return str(status)
    if ask.how == "detail":
        row = response.json()
        return "200" + "".join(_api_sign(field, row) + field for field in fields)
    if not fields:
        return "200"
    body = response.content.decode(errors="replace")
    return "200" + "".join(_page_sign(field, body, world, ask) + field for field in fields)


@pytest.mark.parametrize(("persona", "record", "action"), CELLS)
def test_matrix(world, persona, record, action, monkeypatch):
    who = PERSONAS[persona]
    expected = MATRIX[(record, action)][who.acts_as]
    ask = ASKS[(record, action)]
    # Who gets the PDF is the question here; its pages are tests/test_summary.py's (rendering
    # one takes a second: the same bytes for every reader, 13 times over).
    monkeypatch.setattr("cases.hearings.api.summary_pdf", lambda summary: b"%PDF-1.7 matrix")
    actual = answer(world, persona, ask, expected)
    assert actual == expected, (
        f"{persona} (holds {', '.join(who.roles)} at {who.site}; on the team as "
        f"{who.team or 'nobody'}; acts as {who.acts_as}): {record} {action} answered "
        f"{actual}, the matrix says {expected}"
    )


# --- The matrix is complete and its people are who it says ---------------------------------------


def test_every_api_resource_of_a_case_record_has_rows():
    """A resource added to /api/v1/ later needs its rows here (and in the sweep's ROUTES)."""
    from django.urls import get_resolver

    asked = {
        re.match(r"/api/v1/([\w-]+)/", ask.url).group(1)
        for ask in ASKS.values()
        if "/api/v1/" in ask.url
    }
    lists = {
        reverse(name).removeprefix("/api/v1/").strip("/")
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and name.startswith("api-") and name.endswith("-list")
    }
    from tests.test_site_permission_matrix import site_api_paths

    asked |= site_api_paths()  # the records of a site's program have their own matrix
    assert lists <= asked, f"no rows for /api/v1/{sorted(lists - asked)}/"


@pytest.mark.django_db
def test_the_personas_hold_what_the_table_says(world):
    from cases.models import TeamMember
    from safebabies.identity.models import SiteMembership

    for name, persona in PERSONAS.items():
        memberships = SiteMembership.objects.filter(user_id=world.users[name])
        assert {(m.site.slug, m.role, m.is_active) for m in memberships} == {
            *((persona.site, role, True) for role in persona.roles),
            *((persona.site, role, False) for role in persona.former),
        }
        team = TeamMember.objects.filter(user_id=world.users[name], case_id=world.case)
        assert [row.role for row in team] == ([persona.team] if persona.team else [])
