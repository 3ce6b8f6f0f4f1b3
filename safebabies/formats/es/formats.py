"""How dates and times are written on pages in Spanish (settings.FORMAT_MODULE_PATH; the `when`
filter takes its Spanish formats from here): the words Django's own Spanish catalogue gives
("lunes", "enero"), in the order Spanish writes them, and a 24-hour clock."""

DATE_FORMAT = r"j \d\e b \d\e Y"  # 5 de ene de 2026 (months in lower case, as Spanish writes them)
TIME_FORMAT = "H:i"  # 13:00
DATETIME_FORMAT = f"{DATE_FORMAT}, {TIME_FORMAT}"
SHORT_DATE_FORMAT = r"j \d\e b"  # 5 de ene
SHORT_DATETIME_FORMAT = f"{SHORT_DATE_FORMAT}, {TIME_FORMAT}"
MONTH_DAY_FORMAT = SHORT_DATE_FORMAT
YEAR_MONTH_FORMAT = r"b \d\e Y"  # ene de 2026

# The other styles of `when`
DAY_FORMAT = r"l j \d\e F \d\e Y"  # lunes 5 de enero de 2026
WEEKDAY_FORMAT = r"l j \d\e b"  # lunes 5 de ene
FAMILY_DAY_FORMAT = r"l j \d\e F"  # lunes 5 de enero
FAMILY_SHORT_FORMAT = r"j \d\e F"  # 5 de enero
FAMILY_FORMAT = r"j \d\e F \d\e Y"  # 5 de enero de 2026
