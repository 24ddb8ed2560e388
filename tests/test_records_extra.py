"""Qualifications and On-JT in the services: progress and enrolment, the views, the manager's record, the KPI."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import builders as b
import pytest

from bot.blockkit import assert_view_ok
from bot.blocks.home import home_view
from bot.blocks.manager_modals import record_modal
from bot.blocks.records_extra import onjt_modal, qualification_modal
from bot.blocks.staff import mytraining_message
from bot.services import managers, progress, records_extra, training
from bot.services.deps import UserError
from bot.services.records_extra import OnJTForm
from storage.records_extra import OnJTFact, onjt_facts, qualification_facts

LANGS = ["ja", "en"]


@pytest.mark.parametrize("lang", LANGS)
def test_both_modals_fit_slack(lang):
    plan = b.load_plan()
    for view in (qualification_modal(plan, lang, b.TODAY), onjt_modal(plan, lang, b.TODAY)):
        assert_view_ok(view)
        assert all(len(blk["element"].get("options", ())) <= 100 for blk in view["blocks"] if blk["type"] == "input")
    names = json.dumps(qualification_modal(plan, lang, b.TODAY), ensure_ascii=False)
    assert all((q.name if lang == "ja" else q.name_en) in names for q in plan.qualifications)


def test_a_qualification_completes_a_group_in_the_standing_and_refuses_its_course(sessions):
    units = b.org(sessions)
    staff = b.person(sessions, units["210"], "1001", "U1001", tier=3, track="digi")
    b.qualifications(sessions, staff.id, ["ipa-au", "ipa-ip"])
    deps = b.deps_for(sessions)
    with sessions() as s:
        st = progress.standing(deps, s, staff, "ja")
        with pytest.raises(UserError, match="reason_already_qualified"):
            training.enrol(deps, s, staff, "t3-ipa-management")
    assert st.progress.complete and st.progress.qualified == ("t3-ipa-management",)
    assert st.progress.hours_done == 0.0
    assert [q.qualification_id for q in st.qualifications] == ["ipa-au", "ipa-ip"]
    text, blocks = mytraining_message(st, deps.plan)
    assert "情報処理技術者_マネジメント系: 資格（システム監査技術者）で満たしています" in json.dumps(blocks,
                                                                                     ensure_ascii=False)
    home = json.dumps(home_view(st, deps.plan, deps.settings.tz), ensure_ascii=False)
    assert "システム監査技術者（2025年04月01日 取得）" in home and "ITパスポート" in home


def test_a_note_is_shown_literally_and_an_entry_key_is_recorded_once(sessions):
    units = b.org(sessions)
    staff = b.person(sessions, units["111"], "1001", "U1001")
    deps = b.deps_for(sessions)
    form = OnJTForm("project", "member", date(2026, 4, 1), None, "<!channel> <@U999> & co")
    with sessions() as s:
        assert records_extra.onjt_errors(deps, s, staff, form) == {}
        records_extra.record_onjt(deps, s, staff, form)
        assert records_extra.onjt_errors(deps, s, staff, form) == {"opportunity": "error_onjt_duplicate"}
        st = progress.standing(deps, s, staff, "en")
    home = json.dumps(home_view(st, deps.plan, deps.settings.tz), ensure_ascii=False)
    assert "&lt;!channel&gt; &lt;@U999&gt; &amp; co" in home and "<!channel>" not in home
    assert "Project participation — Participant" in home


def test_the_managers_record_shows_qualifications_and_onjt(sessions):
    units = b.org(sessions)
    boss = b.person(sessions, units["210"], "1000", "U1000", name="市民 課長", position="所属長")
    staff = b.person(sessions, units["210"], "1001", "U1001", tier=2)
    b.qualifications(sessions, staff.id, ["ipa-ip"], on=date(2024, 10, 20))
    b.onjt(sessions, staff.id, [("project", "lead", date(2025, 4, 1), date(2026, 3, 31), "窓口予約の導入")])
    deps = b.deps_for(sessions)
    with sessions() as s:
        record = managers.record(deps, s, boss, staff.id, "ja")
    view = record_modal(record, deps.plan, deps.settings.tz)
    assert_view_ok(view)
    text = json.dumps(view, ensure_ascii=False)
    assert "ITパスポート（2024年10月20日 取得）" in text
    assert "プロジェクト(PJ)等参画 — 主担当（2025年04月01日〜2026年03月31日）" in text and "窓口予約の導入" in text


def test_kpi_counts_onjt_by_tier_and_department_kind_and_qualification_holders(sessions):
    units = b.org(sessions)
    digital1 = b.person(sessions, units["111"], "1", tier=1)
    general2 = b.person(sessions, units["210"], "2", tier=2)
    gone = b.person(sessions, units["210"], "3", tier=2)
    with sessions() as s:
        s.get(type(gone), gone.id).active = False
        s.commit()
    b.onjt(sessions, digital1.id, [("project", "member", date(2025, 4, 1), None, ""),
                                   ("intensive-training", "member", date(2024, 4, 1), date(2024, 9, 30), "")])
    b.onjt(sessions, general2.id, [("project", "lead", date(2025, 6, 1), date(2026, 3, 31), "")])
    b.onjt(sessions, gone.id, [("project", "lead", date(2025, 6, 1), None, "")])
    b.qualifications(sessions, digital1.id, ["ipa-ip"])
    b.qualifications(sessions, general2.id, ["ipa-ip", "ipa-fe"])
    b.qualifications(sessions, gone.id, ["ipa-ip"])
    b.qualifications(sessions, general2.id, ["ipa-ap"], on=date(2026, 12, 1))
    with sessions() as s:
        facts = onjt_facts(s, b.TODAY)
        held = qualification_facts(s, b.TODAY)
    assert {(f.staff_id, f.tier, f.digital) for f in facts} == {(digital1.id, 1, True), (general2.id, 2, False)}
    assert records_extra.onjt_entries_by_tier_and_dept(facts) == {(1, "digital"): 2, (2, "general"): 1}
    assert records_extra.onjt_people_by_tier_and_dept(facts) == {(1, "digital"): 1, (2, "general"): 1}
    assert records_extra.onjt_by_opportunity(facts) == {(1, "digital", "project"): 1,
                                                        (1, "digital", "intensive-training"): 1,
                                                        (2, "general", "project"): 1}
    fy2025 = [f for f in facts if records_extra.overlaps(f, date(2025, 4, 1), date(2026, 3, 31))]
    assert records_extra.onjt_entries_by_tier_and_dept(fy2025) == {(1, "digital"): 1, (2, "general"): 1}
    plan = b.load_plan()
    holders = records_extra.qualification_holders(plan, held)
    assert (holders["ipa-ip"], holders["ipa-fe"], holders["ipa-ap"], holders["ipa-pm"]) == (2, 1, 0, 0)
    assert records_extra.qualification_holders_by_tier(plan, held) == {("ipa-ip", 1): 1, ("ipa-ip", 2): 1,
                                                                       ("ipa-fe", 2): 1}


def test_overlaps_is_inclusive_and_an_open_entry_goes_on():
    fact = OnJTFact(1, 1, False, "project", "lead", date(2025, 4, 1), date(2025, 4, 30))
    assert records_extra.overlaps(fact, date(2025, 4, 30), date(2025, 5, 31))
    assert not records_extra.overlaps(fact, date(2025, 5, 1), date(2025, 5, 31))
    assert records_extra.overlaps(replace(fact, ended_on=None), date(2030, 1, 1), date(2030, 12, 31))
    assert not records_extra.overlaps(fact, date(2025, 3, 1), date(2025, 3, 31))
