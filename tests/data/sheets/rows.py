"""The border-incident sheet as a reporter keeps it: one list of rows, written as CSV and as .xlsx.

Run `python3 rows.py` (needs openpyxl) to rewrite journalist_2023_2025.csv and
journalist_2023_2025.xlsx from the rows below. Every row is a real incident with the outlet that
reported it and the page it was read from; figures are the source's. A cell left empty is a
fact the sources did not settle. The quirks (day-first dates, "at least 12", "42+", "15-20",
"~30", "several", "dozens", "unknown", casual type words, Russian type words, a dotted date,
month-only dates) are how such sheets are kept.
"""

import csv
import datetime
import re

HEADER = ["Date", "Country", "Province", "Place", "Type", "Killed", "Injured", "Who",
          "Source", "Link", "Verified?", "Reporter notes"]

ROWS = [
    ["19/02/2023", "Pakistan", "Khyber Pakhtunkhwa", "Torkham", "border closed", "", "",
     "Afghan Taliban authorities", "DNA News (Islamabad)",
     "https://dnanews.com.pk/pakistan-afghanistan-troops-exchange-fire-at-torkham-border-crossing/",
     "yes", "Taliban closed Torkham to trade and travel on Sunday, over Afghan patients refused entry without documents"],
    ["20/02/2023", "Pakistan", "Khyber Pakhtunkhwa", "Torkham", "exchange of fire", "none", "none",
     "Pakistani border forces; Afghan Taliban", "DNA News (Islamabad)",
     "https://dnanews.com.pk/pakistan-afghanistan-troops-exchange-fire-at-torkham-border-crossing/",
     "yes", "no casualties reported"],
    ["12/07/2023", "Pakistan", "Balochistan", "Zhob", "attack on cantonment", "9", "",
     "Tehreek-e-Jihad Pakistan (claimed)", "Dawn",
     "https://www.dawn.com/news/1764297/9-soldiers-embrace-martyrdom-as-military-winds-up-operation-after-dastardly-attack-on-zhob-garrison-ispr",
     "yes", "9 soldiers; 5 attackers and a woman caught in the crossfire also killed (ISPR, DC Zhob)"],
    ["30 July 2023", "Pakistan", "Khyber Pakhtunkhwa", "Khar, Bajaur", "suicide attack", "63", "~200",
     "Islamic State Khorasan Province", "Wikipedia (2023 Khar bombing)",
     "https://en.wikipedia.org/wiki/2023_Khar_bombing",
     "yes", "JUI-F workers' convention; early counts 35, 44, 54"],
    ["06/09/2023", "Pakistan", "Khyber Pakhtunkhwa", "Torkham", "Cross-border firing", "unknown", "1",
     "Afghan Taliban border forces; Frontier Corps", "Geo News",
     "https://www.geo.tv/latest/508765-torkham-border-closed-after-pak-afghan-security-forces-clash",
     "partly", "dispute over a bunker on the Afghan side; mortar shells hit FIA and Customs offices; one FC soldier shot"],
    ["06/09/2023", "Pakistan", "Khyber Pakhtunkhwa", "Torkham", "crossing closed", "", "",
     "Government of Pakistan", "Pakistan Today",
     "https://www.pakistantoday.com.pk/2023/09/06/torkham-border-shuts-after-pakistan-afghanistan-skirmish/",
     "yes", "closed after the exchange of fire"],
    ["06/09/2023", "Pakistan", "Khyber Pakhtunkhwa", "Kalash, Chitral", "infiltration", "4", "",
     "TTP from Nuristan and Kunar", "Geo News",
     "https://www.geo.tv/latest/508706-four-soldiers-martyred-as-attack-on-army-check-posts-in-chitral-repulsed",
     "yes", "4 soldiers killed at two posts; ISPR: 12 attackers killed"],
    ["16/03/2024", "Pakistan", "Khyber Pakhtunkhwa", "Mir Ali", "suicide attack", "7", "",
     "Jaish-e-Fursan-e-Muhammad", "WION",
     "https://www.wionews.com/south-asia/exclusive-pakistan-launches-airstrikes-against-ttp-deep-inside-afghanistan-sources-tell-wion-701395",
     "yes", "explosives-laden vehicle rammed a check post, North Waziristan; 7 soldiers incl. a Lt Col and a Captain; all 6 attackers killed"],
    ["18/03/2024", "Afghanistan", "Paktika", "Barmal", "air raid", "6", "",
     "Pakistani air force", "Associated Press (via exbulletin)",
     "https://exbulletin.com/politics/2615798/",
     "yes", "Mujahid: three women and three children killed"],
    ["18/03/2024", "Afghanistan", "Khost", "", "airstrike", "2", "",
     "Pakistani air force", "Associated Press (via exbulletin)",
     "https://exbulletin.com/politics/2615798/",
     "yes", "Mujahid: two women killed"],
    ["18/03/2024", "Pakistan", "Khyber Pakhtunkhwa", "Kurram", "mortar fire", "", "4",
     "Afghan Taliban", "Associated Press (via exbulletin)",
     "https://exbulletin.com/politics/2615798/",
     "partly", "return fire after the airstrikes; villagers leaving for safer areas"],
    ["Nov 21, 2024", "Pakistan", "Khyber Pakhtunkhwa", "Ochat, Lower Kurram", "ambush", "42+", "dozens",
     "unknown", "Daily Qudrat",
     "https://en.dailyqudrat.pk/deadly-attack-on-passenger-convoy-in-kurram-district-leaves-42-dead-and-dozens-injured",
     "yes", "convoy from Peshawar to Parachinar fired on at Mandori, Bagan and Ochat; other counts 38, 45-50"],
    ["18.11.2024", "Tajikistan", "Khatlon", "Shamsiddin Shohin", "armed attack", "1", "4",
     "unknown", "24.kg",
     "https://24.kg/english/311756__Attack_on_Chinese_workers_camp_in_Tajikistan_One_killed_four_injured/",
     "yes", "camp of a Chinese gold-mining company on the Afghan border; one Chinese citizen killed"],
    ["19/12/2024", "Pakistan", "Khyber Pakhtunkhwa", "Khyber District", "infiltration", "1", "",
     "militants from Afghanistan", "Republic World",
     "https://www.republicworld.com/amp/world-news/pakistan-16-soldiers-killed-in-terrorist-attack-on-south-waziristan-check-post",
     "partly", "night of 19-20 December; one soldier; ISPR: 4 infiltrators killed"],
    ["21/12/2024", "Pakistan", "Khyber Pakhtunkhwa", "Makeen", "armed attack on post", "16", "",
     "TTP (claimed)", "Daily Times",
     "https://dailytimes.com.pk/1249776/16-soldiers-martyred-in-attack-on-check-post-in-s-waziristan/",
     "yes", "South Waziristan, night of 20-21 December; ISPR: 8 attackers killed"],
    ["24/12/2024", "Afghanistan", "Paktika", "Barmal", "Airstrikes", "46", "6",
     "Pakistani air force", "The Spokesman-Review (dpa)",
     "https://www.spokesman.com/stories/2024/dec/25/46-killed-in-pakistani-airstrike-on-afghan-provinc/",
     "partly", "Taliban deputy spokesman: mostly women and children, Waziristani refugees; Pakistan: TTP hideouts"],
    ["2025-01-16", "Pakistan", "Khyber Pakhtunkhwa", "Bagan, Kurram", "convoy attack", "10", "4",
     "unknown", "Dawn",
     "https://www.dawn.com/news/1885873/death-toll-in-attack-on-kurram-convoy-rises-to-10-official",
     "yes", "supply convoy to Parachinar; 6 drivers, 2 passengers, 2 security officials; 6 attackers killed"],
    ["21/02/2025", "Pakistan", "Khyber Pakhtunkhwa", "Torkham", "closure", "", "",
     "Government of Pakistan", "Associated Press (via AJC)",
     "https://www.ajc.com/news/nation-world/residents-flee-border-area-as-afghan-and-pakistani-forces-clash-over-crossing-closure/KW6R2VZ7AREHFEAYCZXO2LT3KE/",
     "yes", "closed over a new Afghan border post"],
    ["03/03/2025", "Afghanistan", "Nangarhar", "Torkham", "exchange of fire", "1", "several",
     "Afghan security forces; Pakistani forces", "Al Jazeera",
     "https://www.aljazeera.com/news/2025/3/3/pakistani-and-afghan-forces-clash-at-vital-border-crossing",
     "yes", "Afghan interior ministry: 1 killed, 2 injured; Pakistani officials: their men wounded"],
    ["04/03/2025", "Pakistan", "Khyber Pakhtunkhwa", "Torkham", "border clash", "", "3",
     "Afghan and Pakistani forces", "Associated Press (via AJC)",
     "https://www.ajc.com/news/nation-world/residents-flee-border-area-as-afghan-and-pakistani-forces-clash-over-crossing-closure/KW6R2VZ7AREHFEAYCZXO2LT3KE/",
     "yes", "second night of gunfire; residents fled"],
    ["6 April 2025", "Pakistan", "Khyber Pakhtunkhwa", "Hassan Khel", "infiltration attempt", "8", "",
     "militants from Afghanistan", "Dunya News",
     "https://dunyanews.tv/en/Pakistan/877183-security-forces-kill-eight-terrorists-trying-to-infiltrate-through-pak",
     "yes", "North Waziristan; ISPR: 8 killed, 4 injured"],
    ["Apr 2025", "Pakistan", "Khyber Pakhtunkhwa", "Hassan Khel", "infiltration", "54", "",
     "militants from Afghanistan", "Business Recorder",
     "https://www.brecorder.com/news/40359748/security-forces-kill-54-terrorists-infiltrating-through-pakistan-afghanistan-border",
     "yes", "nights of 25-26 and 26-27 April; ISPR: 54 infiltrators killed (71 with a third night)"],
    ["12/10/2025", "Pakistan", "", "Afghanistan-Pakistan border", "border clash", "23", "29",
     "Afghan Taliban; Pakistani army", "Pakistan Today",
     "https://www.pakistantoday.com.pk/2025/10/13/23-troops-martyred-over-200-taliban-terrorists-killed-as-pakistan-responds-afghan-aggression-ispr",
     "partly", "night of 11-12 October at Angoor Adda, Bajaur, Kurram, Dir, Chitral, Bahram Chah; ISPR: 23 soldiers; Taliban: 58 Pakistani soldiers and 9 of theirs"],
    ["12/10/2025", "Pakistan", "Balochistan", "Chaman", "border closed", "", "",
     "Government of Pakistan", "Pakistan Observer",
     "https://pakobserver.net/field-marshal-leads-tributes-at-funeral-of-pak-army-martyrs-defending-homeland/",
     "yes", "Torkham and Chaman closed during the clashes"],
    ["14/10/2025", "Pakistan", "Khyber Pakhtunkhwa", "Kurram", "exchange of fire", "~30", "",
     "Afghan Taliban; TTP; Pakistani army", "The Sun (AFP)",
     "https://thesun.my/world-news/pakistan-and-afghanistan-agree-ceasefire-after-border-clashes-kill-dozens-NF15104678",
     "partly", "night of 14-15 October; Pakistani military: about 30 fighters believed killed"],
    ["15/10/2025", "Afghanistan", "Kandahar", "Spin Boldak", "mortar attack", "at least 12", "100+",
     "Pakistani forces", "Moneycontrol",
     "https://www.moneycontrol.com/world/pakistan-strikes-afghanistan-s-spin-boldak-as-cross-border-tensions-flare-dozens-killed-article-13617567.html",
     "partly", "Mujahid: more than 12 civilians killed, 100 injured; AFP: 15 killed"],
    ["15/10/2025", "Pakistan", "Balochistan", "Chaman", "border clash", "15-20", "",
     "Afghan Taliban", "Business Recorder",
     "https://www.brecorder.com/news/40387685/forces-repel-taliban-attack-at-pak-afghan-border",
     "partly", "ISPR: attack at four places in the Spin Boldak area repulsed, 15-20 Afghan Taliban killed"],
    ["17/10/2025", "Afghanistan", "Paktika", "Urgun", "airstrike", "8", "7",
     "Pakistani air force", "Rediff (Tolo News, Afghanistan Cricket Board)",
     "https://www.rediff.com/news/report/six-killed-in-afghan-airstrikes-as-pakistan-violates-ceasefire/20251018.htm",
     "yes", "three club cricketers among the dead; during the 48-hour ceasefire"],
    ["25/11/2025", "Afghanistan", "Khost", "Mughalgai, Gurbuz district", "air raid", "10", "",
     "Pakistani forces", "Shafaq News",
     "https://www.shafaq.com/en/World/Pakistani-strikes-kill-10-civilians-in-Afghanistan",
     "partly", "Mujahid: nine children and a woman; Pakistan did not comment"],
    ["25/11/2025", "Afghanistan", "Kunar", "", "airstrikes", "", "at least 4",
     "Pakistani forces", "Daily Pakistan",
     "https://en.dailypakistan.com.pk/25-Nov-2025/has-pakistan-conducted-airstrikes-in-afghanistans-khost-after-peshawar-fc-attack",
     "partly", "Mujahid: strikes in Kunar and Paktika wounded four civilians (both provinces in this row)"],
    ["26/11/2025", "Tajikistan", "Khatlon", "Shamsiddin Shohin", "drone attack", "3", "1",
     "criminal groups from Afghan territory", "TRT World",
     "https://www.trtworld.com/article/d1d5c494e77b",
     "yes", "camp of LLC Shohin SM near border post Istiqlol; Chinese workers; one injured per the Chinese embassy"],
    ["30.11.2025", "Tajikistan", "Gorno-Badakhshan", "near Darvoz district", "обстрел", "2", "",
     "gunmen from Afghanistan", "The National Interest, 9 Feb 2026", "",
     "partly", "Tajik presidential office: two incidents of fire from Afghanistan in a week, 5 dead"],
    ["Dec 2025", "Tajikistan", "Khatlon", "near Shamsiddin Shohin district", "перестрелка", "5", "",
     "three armed militants from Afghanistan; Tajik border guards", "The National Interest, 9 Feb 2026", "",
     "partly", "2 Tajik border guards and all 3 infiltrators killed"],
]

# Cells of one row that hold a whole date in a numeric form.
NUMERIC_DATE = re.compile(r"^(\d{2})[/.](\d{2})[/.](\d{4})$")


def write_csv(path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(ROWS)


def write_xlsx(path):
    """The same rows as a workbook: numeric day-first dates become date cells (as Excel stores
    a date typed in a day-first locale), whole numbers become number cells, the rest text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Incidents"
    ws.append(HEADER)
    for row in ROWS:
        cells = list(row)
        m = NUMERIC_DATE.match(cells[0])
        if m:
            d, mo, y = (int(x) for x in m.groups())
            cells[0] = datetime.datetime(y, mo, d)
        elif re.match(r"^\d{4}-\d{2}-\d{2}$", cells[0]):
            cells[0] = datetime.datetime.strptime(cells[0], "%Y-%m-%d")
        for i in (5, 6):
            if cells[i].isdigit():
                cells[i] = int(cells[i])
        ws.append(cells)
        if isinstance(cells[0], datetime.datetime):
            ws.cell(row=ws.max_row, column=1).number_format = "DD/MM/YYYY"
    # A second sheet, so --sheet has something to choose.
    notes = wb.create_sheet("About")
    notes.append(["What", "Where"])
    notes.append(["rows", "sheet Incidents"])
    wb.properties.creator = "borderwatch tests"
    wb.properties.created = datetime.datetime(2026, 1, 1)
    wb.properties.modified = datetime.datetime(2026, 1, 1)
    wb.save(path)


def write_ods(path):
    """The same rows as an OpenDocument spreadsheet (odfpy 1.4): numeric dates as date cells,
    whole-number counts as float cells, the rest as text, as in the .xlsx."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Incidents")

    def text_cell(v):
        c = TableCell(valuetype="string")
        c.addElement(P(text=v))
        return c

    def add(cells):
        tr = TableRow()
        for c in cells:
            tr.addElement(c)
        table.addElement(tr)

    add([text_cell(h) for h in HEADER])
    for row in ROWS:
        cells = []
        for i, v in enumerate(row):
            m = NUMERIC_DATE.match(v) if i == 0 else None
            if m:
                d, mo, y = m.groups()
                c = TableCell(valuetype="date", datevalue=f"{y}-{mo}-{d}")
                c.addElement(P(text=v))
            elif i in (5, 6) and v.isdigit():
                c = TableCell(valuetype="float", value=v)
                c.addElement(P(text=v))
            elif v == "":
                c = TableCell()
            else:
                c = text_cell(v)
            cells.append(c)
        add(cells)
    doc.spreadsheet.addElement(table)
    doc.save(path)


def write_refused(title_path, merged_path):
    """Two sheets borderwatch refuses with a message: a title line above the header, and a
    header whose first two cells are merged. Both hold the first three rows above."""
    from openpyxl import Workbook

    for path, merged in ((title_path, False), (merged_path, True)):
        wb = Workbook()
        ws = wb.active
        ws.title = "Incidents"
        if not merged:
            ws.append(["Border incidents 2023-2025"])
        ws.append(HEADER)
        for row in ROWS[:3]:
            ws.append(row)
        if merged:
            ws.merge_cells("A1:B1")
        wb.properties.created = datetime.datetime(2026, 1, 1)
        wb.properties.modified = datetime.datetime(2026, 1, 1)
        wb.save(path)


if __name__ == "__main__":
    write_csv("journalist_2023_2025.csv")
    write_xlsx("journalist_2023_2025.xlsx")
    write_ods("journalist_2023_2025.ods")
    write_refused("refused_title_row.xlsx", "refused_merged_header.xlsx")
