"""What every feature shares: context, i18n, callback codec, guards, flows and views.

Feature packages import from here and from ``storage``; never from each other.
"""
