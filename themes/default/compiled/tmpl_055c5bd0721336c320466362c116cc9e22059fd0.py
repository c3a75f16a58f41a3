# Made by `python -m mdpm.render` from the default theme's project.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'project.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_progress = l_0_task_row = l_0_problem_list = missing
    pass
    parent_template = environment.get_template('base.html', 'project.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    included_template = environment.get_template('_macros.html', 'project.html')._get_default_module(context)
    l_0_progress = getattr(included_template, 'progress', missing)
    if l_0_progress is missing:
        l_0_progress = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'project.html') does not export the requested name 'progress'", name='progress')
    l_0_task_row = getattr(included_template, 'task_row', missing)
    if l_0_task_row is missing:
        l_0_task_row = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'project.html') does not export the requested name 'task_row'", name='task_row')
    l_0_problem_list = getattr(included_template, 'problem_list', missing)
    if l_0_problem_list is missing:
        l_0_problem_list = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'project.html') does not export the requested name 'problem_list'", name='problem_list')
    context.vars.update({'progress': l_0_progress, 'task_row': l_0_task_row, 'problem_list': l_0_problem_list})
    context.exported_vars.difference_update(('progress', 'task_row', 'problem_list'))
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_project = resolve('project')
    pass
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'title'))

def block_breadcrumbs(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_root = resolve('root')
    l_0_project = resolve('project')
    pass
    yield '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'index.html">Overview</a></li><li><span aria-current="page">'
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'title'))
    yield '</span></li></ol></nav>'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_project = resolve('project')
    l_0_person = resolve('person')
    l_0_root = resolve('root')
    l_0_has_retro = resolve('has_retro')
    l_0_progress = resolve('progress')
    l_0_icon = resolve('icon')
    l_0_site = resolve('site')
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
        t_3 = environment.filters['safe']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'safe' found.")
    try:
        t_4 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<div class="page-head">\n  <h1>'
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'title'))
    yield '</h1>\n'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'summary'):
        pass
        yield '<p class="lede">'
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'summary'))
        yield '</p>'
    yield '  <ul class="facts">\n    <li><span class="fact-label">Owner</span> '
    yield escape(context.call((undefined(name='person') if l_0_person is missing else l_0_person), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'owner'), (undefined(name='root') if l_0_root is missing else l_0_root), _block_vars=_block_vars))
    yield '</li>\n'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'start'):
        pass
        yield '<li><span class="fact-label">Start</span> <time datetime="'
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'start'))
        yield '">'
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'start'))
        yield '</time></li>'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'due'):
        pass
        yield '<li><span class="fact-label">Due</span> <time datetime="'
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'due'))
        yield '">'
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'due'))
        yield '</time></li>'
    yield '    <li><span class="fact-label">Tasks</span> '
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'total'))
    yield '</li>\n'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'tags'):
        pass
        yield '<li><span class="fact-label">Tags</span> '
        for l_1_tag in environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'tags'):
            _loop_vars = {}
            pass
            yield '<span class="tag">'
            yield escape(l_1_tag)
            yield '</span> '
        l_1_tag = missing
        yield '</li>'
    yield '  </ul>\n  <p class="page-actions"><a class="button" href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'board_url'))
    yield '">This project’s board</a>'
    if (undefined(name='has_retro') if l_0_has_retro is missing else l_0_has_retro):
        pass
        yield ' <a class="button button-quiet" href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield 'retro/'
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'id'))
        yield '/index.html">Retrospective</a>'
    yield '</p>\n</div>\n\n<section class="panel" aria-labelledby="progress-h">\n  <h2 id="progress-h">Progress</h2>\n  '
    yield escape(context.call((undefined(name='progress') if l_0_progress is missing else l_0_progress), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'done'), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'total'), 'tasks done', _block_vars=_block_vars))
    yield '\n  <ul class="stage-breakdown">\n'
    for (l_1_s, l_1_n) in environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'stage_counts'):
        _loop_vars = {}
        pass
        yield '<li><span class="stage-pill stage-'
        yield escape(environment.getattr(l_1_s, 'id'))
        yield '">'
        yield escape(environment.getattr(l_1_s, 'title'))
        yield '</span> '
        yield escape(l_1_n)
        yield '</li>'
    l_1_s = l_1_n = missing
    yield '  </ul>\n'
    if (environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'blocked') or environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'overdue')):
        pass
        yield '<p class="warn">'
        if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'blocked'):
            pass
            yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'blocked', _block_vars=_block_vars))
            yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'blocked'))
            yield ' blocked '
        if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'overdue'):
            pass
            yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'clock', _block_vars=_block_vars))
            yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'overdue'))
            yield ' overdue'
        yield '</p>'
    yield '</section>\n\n'
    if context.call(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'html'), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'body_key'), _block_vars=_block_vars):
        pass
        yield '<section aria-labelledby="notes-h">\n  <h2 id="notes-h">Notes</h2>\n  <div class="prose">'
        yield escape(t_3(context.call(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'html'), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'body_key'), _block_vars=_block_vars)))
        yield '</div>\n</section>\n'
    yield '\n<section aria-labelledby="tasks-h">\n  <h2 id="tasks-h">Tasks in dependency order</h2>\n'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'refs'):
        pass
        yield '  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="tasks-h">\n  <table class="tasks">\n    <caption class="visually-hidden">Tasks of '
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'title'))
        yield ', each after the tasks it depends on</caption>\n    <thead><tr><th scope="col">Task</th><th scope="col">Stage</th><th scope="col">Held by</th><th scope="col">Due</th><th scope="col">Flags</th></tr></thead>\n    <tbody>\n'
        for l_1_ref in environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'refs'):
            l_1_task_row = resolve('task_row')
            _loop_vars = {}
            pass
            yield escape(context.call((undefined(name='task_row') if l_1_task_row is missing else l_1_task_row), environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), l_1_ref), (undefined(name='root') if l_0_root is missing else l_0_root), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'critical_path'), _loop_vars=_loop_vars))
            yield '\n'
        l_1_ref = l_1_task_row = missing
        yield '    </tbody>\n  </table>\n  </div>\n'
    else:
        pass
        yield '<p class="empty">No tasks in this project yet.</p>'
    yield '</section>\n\n<section aria-labelledby="graph-h">\n  <h2 id="graph-h">Dependencies and critical path</h2>\n'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'critical_path'):
        pass
        yield '  <p>Critical path ('
        yield escape(t_2(t_1(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'critical_path')), 'task'))
        yield ', the chain that decides the end date):</p>\n  <ol class="critical-path">'
        for l_1_ref in environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'critical_path'):
            _loop_vars = {}
            pass
            yield '<li><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr(environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), l_1_ref), 'url'))
            yield '">'
            yield escape(environment.getattr(environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), l_1_ref), 'title'))
            yield '</a></li>'
        l_1_ref = missing
        yield '</ol>\n'
    else:
        pass
        yield '<p class="muted">No critical path: the tasks do not depend on each other, or their dependencies form a cycle.</p>'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'graph_svg'):
        pass
        yield '<figure class="graph"><div class="svg-scroll" data-graph-scroll tabindex="0" role="region" aria-label="Dependency graph, scrolls sideways">'
        yield escape(t_3(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'graph_svg')))
        yield '</div><figcaption>Dependency graph; the critical path is marked. Scroll sideways to follow the critical path; with JavaScript the graph opens at the first task not done, and “Fit to width” shows all of it.</figcaption></figure>'
    yield '</section>\n\n<section aria-labelledby="timeline-h">\n  <h2 id="timeline-h">Timeline of due dates</h2>\n'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'timeline_svg'):
        pass
        yield '<figure class="timeline-figure"><div class="svg-scroll" tabindex="0" role="region" aria-label="Timeline of due dates, scrolls sideways">'
        yield escape(t_3(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'timeline_svg')))
        yield '</div></figure>'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'timeline'):
        pass
        if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'timeline_svg'):
            pass
            yield '<details class="as-list"><summary>Due dates as a list</summary>'
        yield '  <ol class="timeline">\n'
        for l_1_ref in environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'timeline'):
            l_1_t = missing
            _loop_vars = {}
            pass
            l_1_t = environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), l_1_ref)
            _loop_vars['t'] = l_1_t
            yield '    <li class="'
            if environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'done'):
                pass
                yield 'is-done'
            elif (not t_4(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'overdue_days'))):
                pass
                yield 'is-overdue'
            yield '" data-task="'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'ref'))
            yield '"><time datetime="'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'due'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'due'))
            yield '</time> <a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'url'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'title'))
            yield '</a> <span class="stage-pill stage-'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage_title'))
            yield '</span>'
            if (not t_4(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'overdue_days'))):
                pass
                yield ' <span class="badge badge-overdue">'
                yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'clock', _loop_vars=_loop_vars))
                yield escape(t_2(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'overdue_days'), 'day'))
                yield ' overdue</span>'
            yield '</li>\n'
        l_1_ref = l_1_t = missing
        yield '  </ol>\n'
        if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'timeline_svg'):
            pass
            yield '</details>'
    else:
        pass
        yield '<p class="muted">No task has a due date.</p>'
    yield '</section>\n\n'
    if environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'problems'):
        pass
        yield '<section aria-labelledby="pproblems-h">\n  <h2 id="pproblems-h">Problems</h2>\n  '
        yield escape(context.call((undefined(name='problem_list') if l_0_problem_list is missing else l_0_problem_list), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'problems'), (undefined(name='root') if l_0_root is missing else l_0_root), _block_vars=_block_vars))
        yield '\n</section>\n'

def block_scripts(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_root = resolve('root')
    pass
    yield '<script src="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'static/project.js" defer></script>'

blocks = {'title': block_title, 'breadcrumbs': block_breadcrumbs, 'content': block_content, 'scripts': block_scripts}
debug_info = '1=13&2=16&3=30&4=41&5=57&7=98&8=100&10=106&11=108&12=115&13=123&14=125&16=137&21=148&23=150&25=162&28=177&31=180&37=183&40=186&43=188&53=200&54=203&55=205&57=219&62=225&63=230&64=232&66=236&67=243&70=274&74=281&77=284&81=287'