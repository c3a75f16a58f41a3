# Made by `python -m mdpm.render` from the default theme's overview.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'overview.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_progress = l_0_problem_list = missing
    pass
    parent_template = environment.get_template('base.html', 'overview.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    included_template = environment.get_template('_macros.html', 'overview.html')._get_default_module(context)
    l_0_progress = getattr(included_template, 'progress', missing)
    if l_0_progress is missing:
        l_0_progress = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'overview.html') does not export the requested name 'progress'", name='progress')
    l_0_problem_list = getattr(included_template, 'problem_list', missing)
    if l_0_problem_list is missing:
        l_0_problem_list = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'overview.html') does not export the requested name 'problem_list'", name='problem_list')
    context.vars.update({'progress': l_0_progress, 'problem_list': l_0_problem_list})
    context.exported_vars.difference_update(('progress', 'problem_list'))
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'Overview'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    l_0_root = resolve('root')
    l_0_icon = resolve('icon')
    l_0_problem_list = resolve('problem_list')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<div class="page-head">\n  <h1>'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
    yield '</h1>\n  <p class="lede">'
    yield escape(t_2(t_1(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'projects')), 'project'))
    yield ', '
    yield escape(t_2(t_1(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks')), 'task'))
    yield ', '
    yield escape(t_2(t_1(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'people')), 'person', 'people'))
    yield ' · status as of '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '</p>\n</div>\n\n<section class="panel alerts-panel" aria-labelledby="alerts-h">\n  <h2 id="alerts-h">Alerts</h2>\n'
    if environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'review'), 'alerts'):
        pass
        yield '  <ul class="alerts">\n'
        for l_1_alert in environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'review'), 'alerts'):
            _loop_vars = {}
            pass
            yield '<li class="alert">'
            yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'alert', _loop_vars=_loop_vars))
            yield '<span>'
            yield escape(l_1_alert)
            yield '</span></li>'
        l_1_alert = missing
        yield '  </ul>\n  <p><a class="button" href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield 'review/index.html">Open the status review</a></p>\n'
    else:
        pass
        yield '  <p class="all-clear">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'check', _block_vars=_block_vars))
        yield 'All clear: no stage or person over its limit, nothing blocked or overdue.</p>\n'
    yield '</section>\n\n<section aria-labelledby="stages-h">\n  <h2 id="stages-h">Work in progress</h2>\n  <ul class="stage-strip">\n'
    for l_1_s in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'stages'):
        _loop_vars = {}
        pass
        yield '    <li class="stage-chip'
        if environment.getattr(l_1_s, 'over'):
            pass
            yield ' is-over'
        elif environment.getattr(l_1_s, 'at_limit'):
            pass
            yield ' is-at-limit'
        yield '">\n      <a href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield 'board/index.html#stage-'
        yield escape(environment.getattr(l_1_s, 'id'))
        yield '"><span class="stage-name">'
        yield escape(environment.getattr(l_1_s, 'title'))
        yield '</span>\n      <span class="stage-count">'
        yield escape(environment.getattr(l_1_s, 'count'))
        if (not t_3(environment.getattr(l_1_s, 'limit'))):
            pass
            yield '<span class="muted"> / '
            yield escape(environment.getattr(l_1_s, 'limit'))
            yield '</span>'
        yield '</span>\n'
        if environment.getattr(l_1_s, 'over'):
            pass
            yield '<span class="flag">'
            yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'alert', _loop_vars=_loop_vars))
            yield 'Over limit</span>'
        elif environment.getattr(l_1_s, 'at_limit'):
            pass
            yield '<span class="flag flag-soft">At limit</span>'
        yield '</a>\n    </li>\n'
    l_1_s = missing
    yield '  </ul>\n</section>\n\n<section aria-labelledby="projects-h">\n  <h2 id="projects-h">Projects</h2>\n'
    if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'projects'):
        pass
        yield '  <ul class="project-grid">\n'
        for l_1_p in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'projects'):
            l_1_progress = resolve('progress')
            _loop_vars = {}
            pass
            yield '    <li class="project-card">\n      <h3><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr(l_1_p, 'url'))
            yield '">'
            yield escape(environment.getattr(l_1_p, 'title'))
            yield '</a></h3>\n'
            if environment.getattr(l_1_p, 'summary'):
                pass
                yield '<p class="muted">'
                yield escape(environment.getattr(l_1_p, 'summary'))
                yield '</p>'
            yield '      '
            yield escape(context.call((undefined(name='progress') if l_1_progress is missing else l_1_progress), environment.getattr(l_1_p, 'done'), environment.getattr(l_1_p, 'total'), 'tasks done', _loop_vars=_loop_vars))
            yield '\n      <ul class="project-facts">\n'
            if environment.getattr(l_1_p, 'due'):
                pass
                yield '<li>'
                yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'calendar', _loop_vars=_loop_vars))
                yield 'Due <time datetime="'
                yield escape(environment.getattr(l_1_p, 'due'))
                yield '">'
                yield escape(environment.getattr(l_1_p, 'due'))
                yield '</time></li>'
            if environment.getattr(l_1_p, 'blocked'):
                pass
                yield '<li class="warn">'
                yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'blocked', _loop_vars=_loop_vars))
                yield escape(environment.getattr(l_1_p, 'blocked'))
                yield ' blocked</li>'
            if environment.getattr(l_1_p, 'overdue'):
                pass
                yield '<li class="warn">'
                yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'clock', _loop_vars=_loop_vars))
                yield escape(environment.getattr(l_1_p, 'overdue'))
                yield ' overdue</li>'
            if environment.getattr(l_1_p, 'problems'):
                pass
                yield '<li class="warn">'
                yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'alert', _loop_vars=_loop_vars))
                yield escape(t_2(t_1(environment.getattr(l_1_p, 'problems')), 'problem'))
                yield '</li>'
            yield '      </ul>\n      <p class="project-links"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr(l_1_p, 'board_url'))
            yield '">Board</a></p>\n    </li>\n'
        l_1_p = l_1_progress = missing
        yield '  </ul>\n'
    else:
        pass
        yield '  <p class="empty">No projects yet. Add a folder under <code>content/projects/</code>.</p>\n'
    yield '</section>\n\n<section id="problems" aria-labelledby="problems-h">\n  <h2 id="problems-h">Problems <span class="count">'
    yield escape(t_2(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'errors'), 'error'))
    yield ', '
    yield escape(t_2(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'warnings'), 'warning'))
    yield '</span></h2>\n'
    if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'problems'):
        pass
        yield '  '
        yield escape(context.call((undefined(name='problem_list') if l_0_problem_list is missing else l_0_problem_list), environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'problems'), (undefined(name='root') if l_0_root is missing else l_0_root), 200, _block_vars=_block_vars))
        yield '\n'
    else:
        pass
        yield '  <p class="all-clear">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'check', _block_vars=_block_vars))
        yield 'No problems: every rule of <code>mdpm check</code> passes.</p>\n'
    yield '</section>\n'

blocks = {'title': block_title, 'content': block_content}
debug_info = '1=13&2=16&3=27&4=37&6=68&7=70&12=78&14=81&16=91&18=96&25=99&26=103&27=110&28=116&29=123&37=134&39=137&41=142&42=147&43=153&45=155&46=164&47=170&48=176&50=183&60=192&61=196&62=199&64=204'