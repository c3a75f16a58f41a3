# Made by `python -m mdpm.render` from the default theme's task.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'task.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_progress = l_0_badges = l_0_problem_list = missing
    pass
    parent_template = environment.get_template('base.html', 'task.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    included_template = environment.get_template('_macros.html', 'task.html')._get_default_module(context)
    l_0_progress = getattr(included_template, 'progress', missing)
    if l_0_progress is missing:
        l_0_progress = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'task.html') does not export the requested name 'progress'", name='progress')
    l_0_badges = getattr(included_template, 'badges', missing)
    if l_0_badges is missing:
        l_0_badges = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'task.html') does not export the requested name 'badges'", name='badges')
    l_0_problem_list = getattr(included_template, 'problem_list', missing)
    if l_0_problem_list is missing:
        l_0_problem_list = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'task.html') does not export the requested name 'problem_list'", name='problem_list')
    context.vars.update({'progress': l_0_progress, 'badges': l_0_badges, 'problem_list': l_0_problem_list})
    context.exported_vars.difference_update(('progress', 'badges', 'problem_list'))
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_task = resolve('task')
    pass
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'title'))

def block_breadcrumbs(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_root = resolve('root')
    l_0_task = resolve('task')
    pass
    yield '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'index.html">Overview</a></li><li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'projects/'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'project'))
    yield '/index.html">'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'project_title'))
    yield '</a></li><li><span aria-current="page">'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'title'))
    yield '</span></li></ol></nav>'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_task = resolve('task')
    l_0_badges = resolve('badges')
    l_0_problem_list = resolve('problem_list')
    l_0_root = resolve('root')
    l_0_icon = resolve('icon')
    l_0_progress = resolve('progress')
    l_0_site = resolve('site')
    l_0_person = resolve('person')
    l_0_b = l_0_body = missing
    try:
        t_1 = environment.filters['capitalize']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'capitalize' found.")
    try:
        t_2 = environment.filters['days']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'days' found.")
    try:
        t_3 = environment.filters['number']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'number' found.")
    try:
        t_4 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    try:
        t_5 = environment.filters['safe']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'safe' found.")
    try:
        t_6 = environment.filters['trim']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'trim' found.")
    try:
        t_7 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<article class="task" data-task="'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'ref'))
    yield '">\n<div class="page-head">\n  <h1>'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'title'))
    yield '</h1>\n  <p class="lede"><span class="stage-pill stage-'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'stage'))
    yield '">'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'stage_title'))
    yield '</span>'
    if (not environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'stage_known')):
        pass
        yield ' <span class="warn">(not a stage of the workflow)</span>'
    yield ' · <code>'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'ref'))
    yield '</code>'
    if ((not t_7(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'days_in_stage'))) and (not environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'done'))):
        pass
        yield ' · '
        yield escape(t_4(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'days_in_stage'), 'day'))
        yield ' in this stage'
    yield '</p>\n'
    l_0_b = t_6(context.call((undefined(name='badges') if l_0_badges is missing else l_0_badges), (undefined(name='task') if l_0_task is missing else l_0_task), _block_vars=_block_vars))
    _block_vars['b'] = l_0_b
    if (undefined(name='b') if l_0_b is missing else l_0_b):
        pass
        yield '<ul class="badges">'
        yield escape((undefined(name='b') if l_0_b is missing else l_0_b))
        yield '</ul>'
    yield '</div>\n\n'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'problems'):
        pass
        yield '<section class="panel panel-warn" aria-labelledby="tproblems-h">\n  <h2 id="tproblems-h">Problems</h2>\n  '
        yield escape(context.call((undefined(name='problem_list') if l_0_problem_list is missing else l_0_problem_list), environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'problems'), (undefined(name='root') if l_0_root is missing else l_0_root), _block_vars=_block_vars))
        yield '\n</section>\n'
    yield '\n<div class="task-layout">\n<div class="task-main">\n'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'blocked'):
        pass
        yield '<p class="blocked-note">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'blocked', _block_vars=_block_vars))
        yield '<strong>Blocked:</strong> '
        yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'blocked'))
        yield '</p>'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'expedite'):
        pass
        yield '<p class="expedite-note">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'bolt', _block_vars=_block_vars))
        yield '<strong>Expedited:</strong> '
        yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'expedite'))
        yield '</p>'
    if environment.getitem(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'checklist'), 1):
        pass
        yield '  <section aria-labelledby="check-h">\n    <h2 id="check-h">Checklist</h2>\n    '
        yield escape(context.call((undefined(name='progress') if l_0_progress is missing else l_0_progress), environment.getitem(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'checklist'), 0), environment.getitem(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'checklist'), 1), 'items ticked', _block_vars=_block_vars))
        yield '\n  </section>\n'
    yield '  <section aria-labelledby="body-h">\n    <h2 id="body-h">Description</h2>\n'
    l_0_body = context.call(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'html'), environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'body_key'), _block_vars=_block_vars)
    _block_vars['body'] = l_0_body
    if (undefined(name='body') if l_0_body is missing else l_0_body):
        pass
        yield '<div class="prose">'
        yield escape(t_5((undefined(name='body') if l_0_body is missing else l_0_body)))
        yield '</div>'
    else:
        pass
        yield '<p class="muted">No description.</p>'
    yield '  </section>\n  <section aria-labelledby="history-h">\n    <h2 id="history-h">Stage history</h2>\n'
    if (not environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'history_available')):
        pass
        yield '    <p class="muted history-missing">History is missing: '
        yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'history_message'))
        yield '</p>\n'
    elif environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'history'):
        pass
        yield '    <ol class="history">\n'
        l_1_loop = missing
        for l_1_step, l_1_loop in LoopContext(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'history'), undefined):
            _loop_vars = {}
            pass
            yield '      <li><span class="stage-pill stage-'
            yield escape(environment.getattr(l_1_step, 'stage'))
            yield '">'
            yield escape(environment.getattr(l_1_step, 'stage_title'))
            yield '</span> <time datetime="'
            yield escape(environment.getattr(l_1_step, 'at'))
            yield '">'
            yield escape(environment.getattr(l_1_step, 'day'))
            yield '</time>'
            if (environment.getattr(l_1_loop, 'first') and environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'done_date_unknown')):
                pass
                yield ' <span class="muted">(the date of its first commit: it was already done then; when it was finished is unknown)</span>'
            if environment.getattr(l_1_step, 'author'):
                pass
                yield ' · '
                yield escape(environment.getattr(l_1_step, 'author'))
            if environment.getattr(l_1_step, 'commit'):
                pass
                yield ' · '
                if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'repo_url'):
                    pass
                    yield '<a href="'
                    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'repo_url'))
                    yield '/commit/'
                    yield escape(environment.getattr(l_1_step, 'commit'))
                    yield '"><code>'
                    yield escape(environment.getattr(l_1_step, 'commit')[:7])
                    yield '</code></a>'
                else:
                    pass
                    yield '<code>'
                    yield escape(environment.getattr(l_1_step, 'commit')[:7])
                    yield '</code>'
            yield '</li>\n'
        l_1_loop = l_1_step = missing
        yield '    </ol>\n'
        if (not t_7(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'cycle_days'))):
            pass
            yield '<p>Cycle time: '
            yield escape(t_2(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'cycle_days')))
            yield ' days.</p>'
    else:
        pass
        yield '    <p class="muted">No stage changes recorded for this task yet.</p>\n'
    yield '  </section>\n</div>\n<aside class="task-side" aria-labelledby="fields-h">\n  <h2 id="fields-h">Details</h2>\n  <dl class="fields">\n    <dt>Project</dt><dd><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'projects/'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'project'))
    yield '/index.html">'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'project_title'))
    yield '</a></dd>\n    <dt>Stage</dt><dd>'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'stage_title'))
    yield '</dd>\n    <dt>Held by</dt><dd>'
    yield escape(context.call((undefined(name='person') if l_0_person is missing else l_0_person), environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'holder'), (undefined(name='root') if l_0_root is missing else l_0_root), _block_vars=_block_vars))
    yield '</dd>\n    <dt>Owner</dt><dd>'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'owners'):
        pass
        for l_1_h in environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'owners'):
            _loop_vars = {}
            pass
            yield escape(context.call((undefined(name='person') if l_0_person is missing else l_0_person), l_1_h, (undefined(name='root') if l_0_root is missing else l_0_root), _loop_vars=_loop_vars))
            yield ' '
        l_1_h = missing
    else:
        pass
        yield '<span class="muted">none</span>'
    yield '</dd>\n    <dt>Collaborators</dt><dd>'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'collaborators'):
        pass
        yield '<ul class="plain">'
        for (l_1_h, l_1_role) in environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'collaborators'):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(context.call((undefined(name='person') if l_0_person is missing else l_0_person), l_1_h, (undefined(name='root') if l_0_root is missing else l_0_root), _loop_vars=_loop_vars))
            if l_1_role:
                pass
                yield ' <span class="muted">('
                yield escape(l_1_role)
                yield ')</span>'
            yield '</li>'
        l_1_h = l_1_role = missing
        yield '</ul>'
    else:
        pass
        yield '<span class="muted">none</span>'
    yield '</dd>\n    <dt>Due</dt><dd>'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'due'):
        pass
        yield '<time datetime="'
        yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'due'))
        yield '">'
        yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'due'))
        yield '</time>'
        if (not t_7(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'overdue_days'))):
            pass
            yield ' <span class="warn">('
            yield escape(t_4(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'overdue_days'), 'day'))
            yield ' overdue)</span>'
        elif (not t_7(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'due_in_days'))):
            pass
            yield ' <span class="muted">(in '
            yield escape(t_4(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'due_in_days'), 'day'))
            yield ')</span>'
    else:
        pass
        yield '<span class="muted">none</span>'
    yield '</dd>\n    <dt>Priority</dt><dd>'
    yield escape(t_1(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'priority')))
    yield '</dd>\n    <dt>Estimate</dt><dd>'
    if (not t_7(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'estimate'))):
        pass
        yield escape(t_3(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'estimate')))
        yield ' working '
        yield escape(('day' if (environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'estimate') == 1) else 'days'))
    else:
        pass
        yield '<span class="muted">none</span>'
    yield '</dd>\n'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'created'):
        pass
        yield '<dt>Created</dt><dd><time datetime="'
        yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'created'))
        yield '">'
        yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'created'))
        yield '</time></dd>'
    yield '    <dt>Tags</dt><dd>'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'tags'):
        pass
        for l_1_tag in environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'tags'):
            _loop_vars = {}
            pass
            yield '<span class="tag">'
            yield escape(l_1_tag)
            yield '</span> '
        l_1_tag = missing
    else:
        pass
        yield '<span class="muted">none</span>'
    yield '</dd>\n    <dt>File</dt><dd><code class="path">'
    yield escape(environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'path'))
    yield '</code></dd>\n  </dl>\n  <h2 id="deps-h">Depends on</h2>\n'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'depends_on'):
        pass
        yield '<ul class="links">'
        for l_1_l in environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'depends_on'):
            _loop_vars = {}
            pass
            yield '<li class="'
            if environment.getattr(l_1_l, 'done'):
                pass
                yield 'is-done'
            elif (not environment.getattr(l_1_l, 'url')):
                pass
                yield 'is-missing'
            else:
                pass
                yield 'is-waiting'
            yield '">'
            if environment.getattr(l_1_l, 'url'):
                pass
                yield '<a href="'
                yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
                yield escape(environment.getattr(l_1_l, 'url'))
                yield '">'
                yield escape(environment.getattr(l_1_l, 'title'))
                yield '</a>'
            else:
                pass
                yield '<code>'
                yield escape(environment.getattr(l_1_l, 'ref'))
                yield '</code>'
            yield ' <span class="muted">('
            if (not environment.getattr(l_1_l, 'url')):
                pass
                yield 'does not exist'
            else:
                pass
                yield escape(environment.getattr(l_1_l, 'stage'))
            yield ')</span></li>'
        l_1_l = missing
        yield '</ul>'
    else:
        pass
        yield '<p class="muted">Nothing.</p>'
    yield '  <h2 id="needed-h">Needed by</h2>\n'
    if environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'needed_by'):
        pass
        yield '<ul class="links">'
        for l_1_l in environment.getattr((undefined(name='task') if l_0_task is missing else l_0_task), 'needed_by'):
            _loop_vars = {}
            pass
            yield '<li><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr(l_1_l, 'url'))
            yield '">'
            yield escape(environment.getattr(l_1_l, 'title'))
            yield '</a> <span class="muted">('
            yield escape(environment.getattr(l_1_l, 'stage'))
            yield ')</span></li>'
        l_1_l = missing
        yield '</ul>'
    else:
        pass
        yield '<p class="muted">Nothing.</p>'
    yield '</aside>\n</div>\n</article>\n'

blocks = {'title': block_title, 'breadcrumbs': block_breadcrumbs, 'content': block_content}
debug_info = '1=13&2=16&3=30&4=41&5=63&6=123&8=125&9=127&10=143&13=151&16=154&22=157&23=164&24=171&27=174&32=177&33=179&37=188&38=191&39=193&41=197&42=201&45=236&54=245&55=251&56=253&57=255&58=267&59=287&60=308&61=310&62=319&63=327&64=340&67=342&69=386'