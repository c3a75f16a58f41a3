# Made by `python -m mdpm.render` from the default theme's _footer.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_footer.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_site = resolve('site')
    l_0_root = resolve('root')
    try:
        t_1 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    pass
    yield '<footer class="site-footer">\n  <div class="wrap footer-inner">\n    <p>'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
    yield ' · status as of <time datetime="'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '">'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '</time>'
    if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'problems'):
        pass
        yield ' · <a href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield 'index.html#problems">'
        yield escape(t_1(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'errors'), 'error'))
        yield ', '
        yield escape(t_1(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'warnings'), 'warning'))
        yield '</a>'
    yield '</p>\n    <ul class="footer-links">\n      <li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'board.json">board.json</a></li>\n      <li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'calendar.ics">Calendar (ICS)</a></li>\n      <li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'feed.xml">Atom feed</a></li>\n    </ul>\n    <p class="muted">Built with mdpm from the Markdown files in the repository.</p>\n  </div>\n</footer>\n'

blocks = {}
debug_info = '4=20&6=36&7=38&8=40'