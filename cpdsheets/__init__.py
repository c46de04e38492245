"""cpdsheets: 校本培训学分与达标校验, an Excel-native add-in for school-based teacher training workbooks."""

__version__ = "0.1.0"
