"""The Standard Safeguarding Dataset (SSD): the case-system shape the extract reads."""
